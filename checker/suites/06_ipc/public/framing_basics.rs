//! Public tests of src/framing.rs: frames round-trip, and a stream may only end between frames.

use std::io::ErrorKind;

use ipc::{read_frame, write_frame};

#[test]
fn frames_round_trip_in_order() {
    threadlings_harness::graded(|| {
        let payloads: [&[u8]; 3] = [b"hello", b"", &[0, 255, 10, 13, 0]];
        let mut stream = Vec::new();
        for payload in payloads {
            if let Err(error) = write_frame(&mut stream, payload) {
                panic!("write_frame(_, {payload:?}) failed with {error:?}");
            }
        }
        assert_eq!(
            &stream[..9],
            &[0, 0, 0, 5, b'h', b'e', b'l', b'l', b'o'],
            "a frame is a 4-byte big-endian length (5 = 0 0 0 5) followed by the payload"
        );
        assert_eq!(
            stream.len(),
            4 + 5 + 4 + 4 + 5,
            "three frames of 5, 0 and 5 bytes take 22 bytes, each with its 4-byte header"
        );

        let mut reader = &stream[..];
        for payload in payloads {
            match read_frame(&mut reader) {
                Ok(Some(got)) => assert_eq!(
                    got, payload,
                    "read_frame must return the payloads in the order they were written"
                ),
                other => panic!("read_frame should return Ok(Some({payload:?})), got {other:?}"),
            }
        }
        for _ in 0..2 {
            match read_frame(&mut reader) {
                Ok(None) => {}
                other => panic!(
                    "after the last frame the stream ends cleanly: read_frame must return \
                     Ok(None) (every time it is asked), got {other:?}"
                ),
            }
        }
    });
}

#[test]
fn end_of_stream_is_clean_only_between_frames() {
    threadlings_harness::graded(|| {
        let mut empty: &[u8] = &[];
        match read_frame(&mut empty) {
            Ok(None) => {}
            other => panic!("an empty stream must give Ok(None), got {other:?}"),
        }

        let torn: [(&str, &[u8]); 3] = [
            ("inside the header", &[0, 0]),
            ("inside the payload", &[0, 0, 0, 5, b'h', b'i']),
            ("right after the header", &[0, 0, 0, 3]),
        ];
        for (where_, bytes) in torn {
            let mut reader = bytes;
            match read_frame(&mut reader) {
                Err(error) => assert_eq!(
                    error.kind(),
                    ErrorKind::UnexpectedEof,
                    "a stream that ends {where_} ({bytes:?}) must fail with UnexpectedEof, \
                     got {error:?}"
                ),
                Ok(frame) => panic!(
                    "a stream that ends {where_} ({bytes:?}) holds no whole frame: read_frame \
                     must fail with UnexpectedEof, got Ok({frame:?})"
                ),
            }
        }

        // A whole frame, then a stream that breaks off one byte into the next header.
        let mut reader: &[u8] = &[0, 0, 0, 1, b'x', 0];
        match read_frame(&mut reader) {
            Ok(Some(frame)) if frame == b"x" => {}
            other => panic!("the first, whole frame should be Ok(Some([120])), got {other:?}"),
        }
        match read_frame(&mut reader) {
            Err(error) if error.kind() == ErrorKind::UnexpectedEof => {}
            other => panic!(
                "one byte of a second header, then the end: read_frame must fail with \
                 UnexpectedEof (Ok(None) is only for an end between frames), got {other:?}"
            ),
        }
    });
}
