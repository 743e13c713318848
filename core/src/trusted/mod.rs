//! Files a later run trusts, and proof of their origin: one module for checkpoints, crops,
//! sweeps' crops and the distributed rendezvous and log files.
//!
//! A shared folder (the temporary directory, a project folder on a cluster's file system) lets
//! other users plant a file where a run will look: a link that makes haydi overwrite or read a
//! file of their choosing, a forged checkpoint that changes a three-day run's answer, a file
//! with the right name and a predictable content. Everything here therefore:
//!
//! - **owns what it reads** ([`private`]): files are opened without following a link
//!   (`O_NOFOLLOW`) and checked on the open descriptor (`fstat`, so nothing can be swapped
//!   between the check and the read): a regular file, owned by this user, not writable by group
//!   or others (secrets: not readable either). Refusals name the path, the owner and the mode.
//! - **writes atomically**: a randomly named temporary file created exclusively (mode 0600) in
//!   the same folder, synced, renamed over the target (which replaces a planted link instead of
//!   following it), the folder synced; private folders are 0700.
//! - **proves who wrote a file** ([`seal`]): data files a later run resumes from carry an
//!   HMAC-SHA-256 under a per-user key ([`key`]: `$XDG_DATA_HOME/haydi/key`, or the file named
//!   by `HAYDI_KEY_FILE`), so a file edited by hand, or written by another user, is refused.
//! - **proves which job wrote it** ([`origin`]): the program's arguments and the executable's
//!   hash, or an identity the user gives instead.
//!
//! What this does not protect against: the user's own account. Whoever can act as the user can
//! read the key and seal anything; the key only tells this user's haydi apart from everyone
//! else (and from the user's own hand edits). Moving a file to another account is an explicit
//! act: `haydi reseal` (see [`seal::reseal_file`]).
//!
//! ```
//! use haydi_core::trusted::{read_sealed, write_sealed, Sealed};
//! let dir = tempfile::tempdir()?;
//! let key = dir.path().join("keys").join("key");
//! unsafe { std::env::set_var("HAYDI_KEY_FILE", &key) }; // for this example; normally the user's data dir
//! let path = dir.path().join("data").join("state");
//! std::fs::create_dir_all(path.parent().unwrap())?;
//! write_sealed(&path, b"example\n", b"hello")?;
//! assert!(matches!(read_sealed(&path, b"example\n")?, Sealed::Body(b) if b == b"hello"));
//! # unsafe { std::env::remove_var("HAYDI_KEY_FILE") };
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod key;
pub mod origin;
pub mod private;
pub mod seal;

pub use key::{KEY_FILE_VARIABLE, UserKey, key_path};
pub use origin::{Origin, Program, this_program};
pub use private::{
    check_private_dir, create_private, current_uid, given_dir, private_dir, private_temp_dir,
    read_private, read_private_bytes, read_trusted_bytes, replace_atomically, write_private,
};
pub use seal::{Sealed, read_sealed, reseal_file, write_sealed};
