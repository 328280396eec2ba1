//! The media folder: uploaded files, each stored once under the hex SHA-256 of its bytes.
//! An upload is written to a temporary file as it arrives (never held whole in memory),
//! counted against a limit, and moved into place only once it is complete; an upload that
//! is abandoned leaves nothing behind.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

/// How many leading bytes are kept to tell what kind of file this is.
const HEAD_BYTES: usize = 16;

#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("the file is larger than {0} bytes")]
    TooLarge(usize),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// A file being received into the media folder.
pub struct Incoming {
    folder: PathBuf,
    temp: PathBuf,
    file: Option<tokio::fs::File>,
    hasher: Sha256,
    size: usize,
    limit: usize,
    head: Vec<u8>,
}

impl Incoming {
    /// Starts receiving a file of at most `limit` bytes.
    pub async fn start(folder: &Path, limit: usize) -> Result<Incoming, MediaError> {
        tokio::fs::create_dir_all(folder).await?;
        let temp = folder.join(format!(".incoming-{:032x}", rand::random::<u128>()));
        let file = tokio::fs::File::create_new(&temp).await?;
        Ok(Incoming {
            folder: folder.to_path_buf(),
            temp,
            file: Some(file),
            hasher: Sha256::new(),
            size: 0,
            limit,
            head: Vec::with_capacity(HEAD_BYTES),
        })
    }

    /// Appends the next piece; refuses once the file would pass the limit.
    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), MediaError> {
        if self.size + chunk.len() > self.limit {
            return Err(MediaError::TooLarge(self.limit));
        }
        let file = self.file.as_mut().ok_or_else(closed)?;
        file.write_all(chunk).await?;
        self.hasher.update(chunk);
        self.size += chunk.len();
        let room = HEAD_BYTES - self.head.len();
        self.head.extend_from_slice(&chunk[..chunk.len().min(room)]);
        Ok(())
    }

    pub fn size(&self) -> usize {
        self.size
    }

    /// The file's first bytes, by which its kind is told.
    pub fn head(&self) -> &[u8] {
        &self.head
    }

    /// Moves the complete file into the folder; its name (the hex SHA-256 of its bytes).
    /// The same bytes uploaded twice are one file.
    pub async fn keep(mut self) -> Result<String, MediaError> {
        let mut file = self.file.take().ok_or_else(closed)?;
        file.flush().await?;
        file.sync_all().await?;
        drop(file);
        let name = hex(&std::mem::take(&mut self.hasher).finalize());
        tokio::fs::rename(&self.temp, self.folder.join(&name)).await?;
        Ok(name)
    }
}

impl Drop for Incoming {
    fn drop(&mut self) {
        // Kept files were renamed away; anything else was abandoned.
        let _ = std::fs::remove_file(&self.temp);
    }
}

fn closed() -> MediaError {
    MediaError::Io(std::io::Error::other("the upload was already finished"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether a stored name is one this folder gives (so it cannot name another path).
fn valid_name(name: &str) -> bool {
    name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Opens a stored file for reading, with its length.
pub async fn open(folder: &Path, name: &str) -> Result<(tokio::fs::File, u64), MediaError> {
    if !valid_name(name) {
        return Err(MediaError::Io(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "not a stored file's name",
        )));
    }
    let file = tokio::fs::File::open(folder.join(name)).await?;
    let length = file.metadata().await?.len();
    Ok((file, length))
}

/// Deletes a stored file (when nothing refers to it any more).
pub async fn remove(folder: &Path, name: &str) -> Result<(), MediaError> {
    if !valid_name(name) {
        return Ok(());
    }
    match tokio::fs::remove_file(folder.join(name)).await {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_file_is_kept_under_its_digest_and_an_abandoned_one_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut incoming = Incoming::start(dir.path(), 10).await.unwrap();
        incoming.write(b"%PDF-").await.unwrap();
        incoming.write(b"1.7").await.unwrap();
        assert_eq!(incoming.head(), b"%PDF-1.7");
        let name = incoming.keep().await.unwrap();
        assert_eq!(name, hex(&Sha256::digest(b"%PDF-1.7")));
        let (_, length) = open(dir.path(), &name).await.unwrap();
        assert_eq!(length, 8);

        let mut big = Incoming::start(dir.path(), 10).await.unwrap();
        big.write(b"12345678").await.unwrap();
        assert!(matches!(
            big.write(b"901").await,
            Err(MediaError::TooLarge(10))
        ));
        drop(big);
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "only the kept file remains");
        assert!(open(dir.path(), "../etc/passwd").await.is_err());
    }
}
