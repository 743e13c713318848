//! The one wire form of partial results: bincode 2 (standard configuration), with no trailing
//! bytes. Every `ErasedJob` encodes and decodes its partials through these functions, and pools
//! their task results.

use super::ErasedPartial;
use crate::error::{Error, Result};
use serde::Serialize;
use serde::de::DeserializeOwned;

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
    encode_value(p)
}

/// Encodes a value in the wire form (bincode 2, standard configuration): partials, and what
/// pools send as task results.
///
/// ```
/// use haydi_core::plumbing::{decode_value, encode_value};
/// let bytes = encode_value(&(7u8, "x".to_string()))?;
/// assert_eq!(decode_value::<(u8, String)>(&bytes)?, (7, "x".to_string()));
/// # Ok::<(), haydi_core::Error>(())
/// ```
pub fn encode_value<P: Serialize>(p: &P) -> Result<Vec<u8>> {
    bincode::serde::encode_to_vec(p, bincode::config::standard())
        .map_err(|e| Error::Serialization(e.to_string()))
}

/// Decodes a value written by [`encode_value`]; bytes left over are an error, never ignored.
///
/// ```
/// use haydi_core::plumbing::{decode_value, encode_value};
/// let mut bytes = encode_value(&5u32)?;
/// bytes.push(0);
/// assert!(decode_value::<u32>(&bytes).is_err());
/// # Ok::<(), haydi_core::Error>(())
/// ```
pub fn decode_value<P: DeserializeOwned>(bytes: &[u8]) -> Result<P> {
    let (p, used): (P, usize) =
        bincode::serde::decode_from_slice(bytes, bincode::config::standard())
            .map_err(|e| Error::Serialization(e.to_string()))?;
    if used != bytes.len() {
        return Err(Error::Serialization(format!(
            "{} trailing bytes after an encoded value",
            bytes.len() - used
        )));
    }
    Ok(p)
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
    Ok(Box::new(decode_value::<P>(bytes)?))
}
