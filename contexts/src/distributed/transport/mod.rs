//! Transports: how the driver and its workers reach each other.
//!
//! [`frame`] (length-delimited frames with a size limit), [`secret`] (the job's secret),
//! [`noise`] (the Noise handshake and sealed, streamed messages of every TCP connection).

pub mod frame;
pub mod noise;
pub mod secret;
