//! Public tests of src/pipe.rs: the child's `serve_squares` and the parent's `squares_via_child`.

use std::io::ErrorKind;
use std::path::Path;

use ipc::{serve_squares, squares_via_child};

/// The given worker binary, built by cargo next to this test.
pub(crate) fn worker() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_ipc_worker"))
}

/// Runs `serve_squares` on `input`; returns its result and everything it wrote.
fn serve(input: &str) -> (std::io::Result<()>, String) {
    let mut output = Vec::new();
    let result = serve_squares(input.as_bytes(), &mut output);
    (result, String::from_utf8_lossy(&output).into_owned())
}

#[test]
fn serve_squares_answers_one_square_per_line() {
    threadlings_harness::graded(|| {
        let input = "1\n2\n 3 \n10\r\n0\n4294967295";
        let (result, output) = serve(input);
        assert!(
            result.is_ok(),
            "serve_squares({input:?}) failed with {result:?}; every line holds a valid u32 \
             (surrounding spaces and a \\r\\n ending are allowed, the last line may lack its \\n)"
        );
        assert_eq!(
            output, "1\n4\n9\n100\n0\n18446744065119617025\n",
            "serve_squares({input:?}) must write one square per line, in input order \
             (4294967295² only fits in a u64: square as u64, not u32)"
        );

        let (result, output) = serve("");
        assert!(
            result.is_ok() && output.is_empty(),
            "an empty input must give Ok(()) and no output; got {result:?} and {output:?}"
        );
    });
}

#[test]
fn serve_squares_names_the_bad_line() {
    threadlings_harness::graded(|| {
        // (input, number of the bad line, what must have been written before it)
        let cases = [
            ("4\nfive\n6\n", 2, "16\n"),
            ("1\n\n3\n", 2, "1\n"),
            ("7\n-1\n", 2, "49\n"),
            ("4294967296\n", 1, ""),
            ("1\n2\n3 4\n", 3, "1\n4\n"),
        ];
        for (input, bad_line, answered) in cases {
            let (result, output) = serve(input);
            let error = match result {
                Err(error) => error,
                Ok(()) => panic!(
                    "serve_squares({input:?}) returned Ok(()), but line {bad_line} is not a u32: \
                     it must return an InvalidData error"
                ),
            };
            assert_eq!(
                error.kind(),
                ErrorKind::InvalidData,
                "serve_squares({input:?}) failed with {error:?}: a bad line is ErrorKind::InvalidData"
            );
            let wanted = format!("line {bad_line}");
            assert!(
                error.to_string().contains(&wanted),
                "serve_squares({input:?}) failed with the message {:?}, which does not contain \
                 {wanted:?}: name the bad line (counted from 1) so the user can find it",
                error.to_string()
            );
            assert_eq!(
                output, answered,
                "serve_squares({input:?}) must answer the good lines before the bad one \
                 (one line written and flushed per input line)"
            );
        }
    });
}

#[test]
fn squares_via_child_returns_squares_in_order() {
    threadlings_harness::graded(|| {
        let numbers = [3, 1, 4, 1, 5, 9, 2, 6, 65_535, 4_294_967_295, 0];
        let expected: Vec<u64> = numbers
            .iter()
            .map(|&n| u64::from(n) * u64::from(n))
            .collect();
        match squares_via_child(worker(), &numbers) {
            Ok(squares) => assert_eq!(
                squares, expected,
                "squares_via_child({numbers:?}) must return the child's answers in input order"
            ),
            Err(error) => panic!(
                "squares_via_child({numbers:?}) failed with {error:?}: it should start \
                 `ipc_worker squares`, write one number per line to its stdin, close stdin \
                 and read one square per line from its stdout"
            ),
        }

        match squares_via_child(worker(), &[]) {
            Ok(squares) => assert!(
                squares.is_empty(),
                "no numbers must give no squares, got {squares:?}"
            ),
            Err(error) => panic!("squares_via_child with no numbers failed with {error:?}"),
        }
    });
}
