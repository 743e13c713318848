//! The one wire form of partial results: bincode 2 (standard configuration), with no trailing
//! bytes. Every `ErasedJob` encodes and decodes its partials through these two functions.

use super::ErasedPartial;
use crate::error::{Error, Result};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Encodes `partial`, which must hold a `P`.
///
/// ```
/// use haydi_core::plumbing::{decode_partial_as, encode_partial_as, ErasedPartial};
/// let p: ErasedPartial = Box::new(vec![1u32, 2, 3]);
/// let bytes = encode_partial_as::<Vec<u32>>(&p).unwrap();
/// let back = decode_partial_as::<Vec<u32>>(&bytes).unwrap();
/// assert_eq!(back.downcast_ref::<Vec<u32>>(), Some(&vec![1, 2, 3]));
/// assert!(encode_partial_as::<String>(&p).is_err()); // not a String
/// ```
pub fn encode_partial_as<P: Serialize + 'static>(partial: &ErasedPartial) -> Result<Vec<u8>> {
    let p = partial.downcast_ref::<P>().ok_or_else(|| {
        Error::Context(format!(
            "a partial of the wrong type (expected {})",
            std::any::type_name::<P>()
        ))
    })?;
    bincode::serde::encode_to_vec(p, bincode::config::standard())
        .map_err(|e| Error::Serialization(e.to_string()))
}

/// Decodes a `P` written by [`encode_partial_as`]; bytes left over are an error, never ignored.
///
/// ```
/// use haydi_core::plumbing::decode_partial_as;
/// let mut bytes = vec![1u8, 7]; // a Vec<u8> of one element
/// assert!(decode_partial_as::<Vec<u8>>(&bytes).is_ok());
/// bytes.push(0);
/// assert!(decode_partial_as::<Vec<u8>>(&bytes).is_err()); // a trailing byte
/// ```
pub fn decode_partial_as<P: DeserializeOwned + Send + 'static>(
    bytes: &[u8],
) -> Result<ErasedPartial> {
    let (p, used): (P, usize) =
        bincode::serde::decode_from_slice(bytes, bincode::config::standard())
            .map_err(|e| Error::Serialization(e.to_string()))?;
    if used != bytes.len() {
        return Err(Error::Serialization(format!(
            "{} trailing bytes after a partial result",
            bytes.len() - used
        )));
    }
    Ok(Box::new(p))
}
