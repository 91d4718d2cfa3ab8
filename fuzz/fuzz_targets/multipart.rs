//! Arbitrary `multipart/form-data` bodies through `parse_body_arguments`
//! and `parse_multipart_form_data`: they must not panic, must leave the
//! maps unchanged on error, must never return more parts than the limit,
//! and every value must be a piece of the body.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use supercell::httputil::{
    Arguments, Files, HttpFile, ParseMultipartConfig, parse_body_arguments,
    parse_multipart_form_data_with,
};

/// Whether `piece` lies inside `body`'s memory.
fn inside(body: &Bytes, piece: &Bytes) -> bool {
    let range = body.as_ptr_range();
    piece.is_empty()
        || (range.start <= piece.as_ptr() && piece.as_ptr_range().end <= range.end)
}

fuzz_target!(|data: &[u8]| {
    let [flags, max_parts, rest @ ..] = data else { return };
    let boundary_len = usize::from(flags & 0x0f).min(rest.len());
    let (boundary, body) = rest.split_at(boundary_len);
    // Half the inputs are framed by valid boundaries, so the fuzzer
    // reaches the part parser easily.
    let body = if flags & 0x10 != 0 {
        let mut framed = b"--".to_vec();
        framed.extend_from_slice(boundary);
        framed.extend_from_slice(b"\r\nContent-Disposition: form-data; ");
        framed.extend_from_slice(body);
        framed.extend_from_slice(b"\r\n--");
        framed.extend_from_slice(boundary);
        framed.extend_from_slice(b"--");
        Bytes::from(framed)
    } else {
        Bytes::copy_from_slice(body)
    };
    let config = ParseMultipartConfig {
        max_parts: usize::from(*max_parts % 8) + 1,
        max_part_header_size: 256,
    };

    let mut arguments = Arguments::from_iter([("kept".to_owned(), vec![Bytes::from_static(b"x")])]);
    let mut files = Files::from_iter([("kept".to_owned(), Vec::<HttpFile>::new())]);
    let (before_arguments, before_files) = (arguments.clone(), files.clone());
    match parse_multipart_form_data_with(boundary, &body, &mut arguments, &mut files, &config) {
        Ok(()) => {
            let values = arguments.values().map(Vec::len).sum::<usize>() - 1;
            let uploads = files.values().map(Vec::len).sum::<usize>();
            assert!(values + uploads <= config.max_parts);
            let mut parsed = arguments
                .iter()
                .flat_map(|(name, values)| &values[usize::from(name == "kept")..]);
            assert!(parsed.all(|v| inside(&body, v)));
            assert!(files.values().flatten().all(|f| inside(&body, &f.body)));
            assert!(files.values().flatten().all(|f| !f.filename.is_empty()));
        }
        Err(error) => {
            assert!(!error.0.is_empty());
            assert_eq!((arguments, files), (before_arguments, before_files));
        }
    }

    // The same body through the Content-Type header path.
    let content_type = format!(
        "multipart/form-data; boundary=\"{}\"",
        String::from_utf8_lossy(boundary)
    );
    let (mut arguments, mut files) = (Arguments::default(), Files::default());
    let _ = parse_body_arguments(&content_type, &body, &mut arguments, &mut files, None);
});
