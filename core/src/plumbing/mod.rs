//! Plumbing: how a run is cut into index-range chunks and merged back, for every context.
//!
//! See `README.md` in this folder for the protocol. Users need none of this unless they write a
//! context of their own.

mod checkpoint;
mod codec;
mod erased;
mod extension;
mod pass;
pub(crate) mod scheduler;
pub(crate) mod task_note;
mod unpoisoned;
mod window;

pub use crate::error::panic_message;
pub use checkpoint::reseal_checkpoint;
pub use codec::{decode_partial_as, decode_value, encode_partial_as, encode_value};
pub use erased::{ChunkOutput, ErasedJob, ErasedPartial, JobSignature};
pub use extension::Extensions;
pub use pass::Pass;
pub use scheduler::{
    ChunkSpec, Completion, Drive, Request, ScheduleConfig, Scheduler, TINY_GROWTH, drive,
    drive_inline,
};
pub use task_note::{catch_panic, note_task};
pub use unpoisoned::{Unpoisoned, UnpoisonedRw, UnpoisonedWait};
pub use window::Window;
