"""Print DRF's Russian translations of the messages the login endpoints can emit, per DRF version."""
import gettext, glob, io, sys, zipfile
MSGS = ["This field is required.", "This field may not be blank.", "This field may not be null.",
        "Not a valid string.", "Invalid data. Expected a dictionary, but got {datatype}.", "No data provided",
        "JSON parse error - {detail}", "Malformed request.", 'Unsupported media type "{media_type}" in request.',
        'Method "{method}" not allowed.', "Could not satisfy the request Accept header.",
        "User account is disabled.", "Unable to log in with provided credentials.",
        "Incorrect authentication credentials.", "Authentication credentials were not provided."]
wheels = sorted(glob.glob(sys.argv[1] + "/djangorestframework-*.whl"), key=lambda p: [int(x) for x in p.split("-")[1].split(".")])
for lang in ("ru", "ru_RU"):
    print(f"### locale {lang}")
    for w in wheels:
        z = zipfile.ZipFile(w)
        try:
            mo = z.read(f"rest_framework/locale/{lang}/LC_MESSAGES/django.mo")
        except KeyError:
            print(w.split("-")[1], "no catalog"); continue
        t = gettext.GNUTranslations(io.BytesIO(mo))
        print(w.split("-")[1], {m: (t.gettext(m) if t.gettext(m) != m else None) for m in MSGS})
