import base64,sys,json
def b64(s): return base64.urlsafe_b64decode(s+'='*(-len(s)%4))
for t in sys.argv[1:]:
    h,p,s=t.split('.')
    print('header bytes :',b64(h)); print('payload bytes:',b64(p)); print('sig len', len(b64(s)))
