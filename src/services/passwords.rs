//! Password hashing with argon2, bounded: each hash takes about 19 MiB and a core for a
//! moment, and strangers can cause them (logins, sign-ups), so only a few run at once. A
//! request that cannot get a slot soon is told to come back (503 with `Retry-After`) instead
//! of queueing memory without bound. Each slot hashes in memory of its own, allocated once
//! and reused: allocating 19 MiB per hash on short-lived blocking threads left every
//! thread's allocator arena holding it, and a flood of logins kept the server at hundreds of
//! MiB for good (see `tests/api/memory.rs`).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::Semaphore;

use crate::domain::Password;
use crate::error::AppError;

/// How long a request waits for a hashing slot before it is answered 503.
const SLOT_WAIT: Duration = Duration::from_secs(2);
/// What the 503 tells the client to wait.
const RETRY_AFTER_SECS: u64 = 2;

/// A valid argon2 hash of a random password: verifying against it when the login is
/// unknown makes a wrong login take as long as a wrong password.
pub const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$kQ4Vf0bS3wJ1V0mVjvGgq8p0QyjvUvH6xN0gFqCjJ6w";

/// The slots for hashes running at once, shared by every request of the process, with the
/// memory each slot hashes in.
#[derive(Clone)]
pub struct PasswordHashing {
    slots: Arc<Semaphore>,
    memory: Arc<Mutex<Vec<Vec<Block>>>>,
}

impl PasswordHashing {
    /// `concurrent` hashes at once (at least one); about the number of cores.
    pub fn new(concurrent: usize) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(concurrent.max(1))),
            memory: Arc::default(),
        }
    }

    /// As many slots as the machine has cores.
    pub fn per_core() -> Self {
        Self::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    }

    /// Runs `work` in a slot's memory, on a blocking thread.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let permit = tokio::time::timeout(SLOT_WAIT, self.slots.clone().acquire_owned())
            .await
            .map_err(|_| AppError::Busy {
                retry_after_secs: RETRY_AFTER_SECS,
            })?
            .map_err(|e| AppError::Internal(e.into()))?;
        let pool = self.memory.clone();
        tokio::task::spawn_blocking(move || {
            let taken = pool.lock().ok().and_then(|mut free| free.pop());
            let mut memory = taken.unwrap_or_default();
            let result = work(&mut memory);
            if let Ok(mut free) = pool.lock() {
                free.push(memory);
            }
            drop(permit);
            result
        })
        .await
        .map_err(|e| AppError::Internal(e.into()))
    }

    /// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) of the password, with a fresh salt.
    pub async fn hash(&self, password: Password) -> Result<String, AppError> {
        self.run(move |memory| {
            let salt = SaltString::generate(&mut OsRng);
            hash_in(memory, password.expose().as_bytes(), &salt)
                .map_err(|e| AppError::Internal(anyhow::anyhow!("password hashing failed: {e}")))
        })
        .await?
    }

    /// Whether `password` matches the PHC string `hash` (whatever argon2 parameters it has).
    pub async fn verify(&self, password: String, hash: String) -> Result<bool, AppError> {
        self.run(move |memory| verify_in(memory, password.as_bytes(), &hash))
            .await
    }
}

/// Makes `memory` at least `blocks` long, once per slot.
fn blocks_of(memory: &mut Vec<Block>, blocks: usize) -> &mut [Block] {
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    &mut memory[..blocks]
}

fn hash_in(
    memory: &mut Vec<Block>,
    password: &[u8],
    salt: &SaltString,
) -> Result<String, argon2::password_hash::Error> {
    let params = Params::default();
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut salt_bytes = [0u8; 64];
    let salt_raw = salt.as_salt().decode_b64(&mut salt_bytes)?;
    let blocks = blocks_of(memory, params.block_count());
    let output = Output::init_with(Params::DEFAULT_OUTPUT_LEN, |out| {
        Ok(argon2.hash_password_into_with_memory(password, salt_raw, out, &mut *blocks)?)
    })?;
    Ok(PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params)?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    }
    .to_string())
}

fn verify_in(memory: &mut Vec<Block>, password: &[u8], hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from) {
        None => Version::V0x13,
        Some(Ok(version)) => version,
        Some(Err(_)) => return false,
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt_raw) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let argon2 = Argon2::new(algorithm, version, params.clone());
    let blocks = blocks_of(memory, params.block_count());
    let computed = Output::init_with(expected.len(), |out| {
        Ok(argon2.hash_password_into_with_memory(password, salt_raw, out, &mut *blocks)?)
    });
    // `Output`'s equality takes the same time wherever the bytes differ.
    computed.is_ok_and(|computed| computed == expected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::{PasswordHasher, PasswordVerifier};

    #[test]
    fn hashes_are_standard_argon2id_and_verify_both_ways() {
        let mut memory = Vec::new();
        let salt = SaltString::generate(&mut OsRng);
        let ours = hash_in(&mut memory, b"correct horse", &salt).unwrap();
        assert!(
            ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{ours}"
        );
        // The library's own verifier accepts ours, and ours accepts the library's.
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"correct horse", &parsed)
                .is_ok()
        );
        let theirs = Argon2::default()
            .hash_password(b"battery staple", &salt)
            .unwrap()
            .to_string();
        assert!(verify_in(&mut memory, b"battery staple", &theirs));
        assert!(!verify_in(&mut memory, b"battery stapler", &theirs));
        assert!(!verify_in(&mut memory, b"correct horse", "not a hash"));
        // Other parameters (an older, smaller hash) are verified too.
        let small = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(4096, 3, 1, None).unwrap(),
        )
        .hash_password(b"old", &salt)
        .unwrap()
        .to_string();
        assert!(verify_in(&mut memory, b"old", &small));
        assert!(verify_in(&mut memory, b"correct horse", &ours));
    }
}
