//! Reading static files: their metadata, their bytes in chunks, and the
//! hash of their content.

use std::io::{self, Read, SeekFrom};
use std::ops::Range;
use std::path::Path;

use bytes::Bytes;
use futures_util::stream;
use md5::{Digest, Md5};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use super::{ContentInfo, ContentStream};
use crate::web::hex::hex_encode;

/// The size of the chunks a file is read and sent in (Tornado's).
pub(super) const CHUNK_SIZE: usize = 64 * 1024;

/// The size and modification time of the file at `path`.
pub(super) async fn file_info(path: &Path) -> io::Result<ContentInfo> {
    let metadata = tokio::fs::metadata(path).await?;
    Ok(ContentInfo {
        size: metadata.len(),
        modified: metadata.modified().ok(),
    })
}

/// The bytes `range` of the file at `path`, in chunks of
/// [`CHUNK_SIZE`], each read when the stream is next polled. A file that
/// ends before `range` does ends the stream with an
/// [`io::ErrorKind::UnexpectedEof`] error.
pub(super) async fn read_file(path: &Path, range: Range<u64>) -> io::Result<ContentStream> {
    let mut file = tokio::fs::File::open(path).await?;
    if range.start > 0 {
        file.seek(SeekFrom::Start(range.start)).await?;
    }
    let remaining = range.end.saturating_sub(range.start);
    let chunks = stream::try_unfold((file, remaining), |(mut file, remaining)| async move {
        if remaining == 0 {
            return Ok(None);
        }
        // At most CHUNK_SIZE, so the conversion cannot truncate.
        let size = remaining.min(CHUNK_SIZE as u64) as usize;
        let mut chunk = vec![0; size];
        file.read_exact(&mut chunk).await?;
        Ok(Some((Bytes::from(chunk), (file, remaining - size as u64))))
    });
    Ok(Box::pin(chunks))
}

/// The MD5 of the content of the file at `path`, in lowercase hex,
/// read in chunks on the calling thread.
pub(super) fn md5_hex_of_file(path: &Path) -> io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Md5::new();
    let mut buffer = vec![0; CHUNK_SIZE];
    loop {
        let read = match file.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        hasher.update(&buffer[..read]);
    }
    Ok(hex_encode(&hasher.finalize()))
}
