use super::*;

fn clock() -> HeadClock {
    HeadClock {
        state: Head::Reading { newlines: 0 },
        deadline: Box::pin(tokio::time::sleep(Duration::from_secs(10))),
    }
}

#[tokio::test]
async fn a_head_ends_at_the_first_empty_line_across_reads() {
    let t = Duration::from_secs(10);
    for split in [1, 3, 17, 34] {
        let mut c = clock();
        let head = b"GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n\r\nbody\n\n";
        let (first, rest) = head.split_at(split);
        c.observe(first, t);
        assert!(matches!(c.state, Head::Reading { .. }), "split {split}");
        c.observe(rest, t);
        assert_eq!(c.state, Head::Done, "split {split}");
    }
    let mut c = clock();
    c.observe(b"GET / HTTP/1.0\n\n", t);
    assert_eq!(c.state, Head::Done);
    let mut c = clock();
    c.observe(b"GET / HTTP/1.1\r\nHost: a\r\n", t);
    c.observe(b"X-Slow: 1\r\n", t);
    assert!(matches!(c.state, Head::Reading { .. }));
}

/// The byte-at-a-time definition the memchr scan must agree with.
fn naive_ends_head(chunks: &[&[u8]]) -> bool {
    let mut newlines = 0;
    for &byte in chunks.concat().iter() {
        match byte {
            b'\n' => {
                newlines += 1;
                if newlines == 2 {
                    return true;
                }
            }
            b'\r' => {}
            _ => newlines = 0,
        }
    }
    false
}

#[tokio::test]
async fn the_scan_agrees_with_the_byte_at_a_time_definition() {
    let t = Duration::from_secs(10);
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |n: u64| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        (seed >> 33) % n
    };
    for _ in 0..5_000 {
        let len = next(12) as usize;
        let input: Vec<u8> = (0..len)
            .map(|_| [b'a', b'\r', b'\n'][next(3) as usize])
            .collect();
        let split = next(len as u64 + 1) as usize;
        let (first, second) = input.split_at(split);
        let mut c = clock();
        c.observe(first, t);
        c.observe(second, t);
        assert_eq!(
            c.state == Head::Done,
            naive_ends_head(&[first, second]),
            "{:?} split at {split}",
            String::from_utf8_lossy(&input)
        );
    }
}

#[tokio::test]
async fn between_requests_the_clock_waits_for_the_first_byte() {
    let t = Duration::from_secs(10);
    let mut c = clock();
    c.state = Head::Idle;
    c.observe(b"", t);
    assert_eq!(c.state, Head::Idle);
    c.observe(b"G", t);
    assert_eq!(c.state, Head::Reading { newlines: 0 });
}
