//! `Label`: the value of one sweep parameter (a number, a text, a flag).

use serde::{Deserialize, Serialize};
use std::fmt;

/// The value of a sweep parameter. Integers, floats, texts and flags convert into it
/// (`From`), so `param("a", [1, 2])`, `param("x", [0.5, 1.0])` and `param("mode", ["fast",
/// "exact"])` all work.
///
/// ```
/// use haydi_contexts::sweep::Label;
/// assert_eq!(Label::from(3), Label::Int(3));
/// assert_eq!(Label::from("fast").to_string(), "fast");
/// assert_eq!(Label::from(0.5).as_f64(), Some(0.5));
/// assert_eq!(Label::from(7u8).as_i64(), Some(7));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Label {
    /// A flag.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A text.
    Str(String),
}

impl Label {
    /// The integer, if it is one.
    ///
    /// ```
    /// use haydi_contexts::sweep::Label;
    /// assert_eq!(Label::Str("x".into()).as_i64(), None);
    /// ```
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Label::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The number as a float (integers convert).
    ///
    /// ```
    /// use haydi_contexts::sweep::Label;
    /// assert_eq!(Label::Int(2).as_f64(), Some(2.0));
    /// ```
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Label::Int(i) => Some(*i as f64),
            Label::Float(x) => Some(*x),
            _ => None,
        }
    }

    /// The text, if it is one.
    ///
    /// ```
    /// use haydi_contexts::sweep::Label;
    /// assert_eq!(Label::from("a").as_str(), Some("a"));
    /// ```
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Label::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The flag, if it is one.
    ///
    /// ```
    /// use haydi_contexts::sweep::Label;
    /// assert_eq!(Label::from(true).as_bool(), Some(true));
    /// ```
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Label::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Label::Bool(b) => write!(f, "{b}"),
            Label::Int(i) => write!(f, "{i}"),
            Label::Float(x) => write!(f, "{x}"),
            Label::Str(s) => write!(f, "{s}"),
        }
    }
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Label {
            fn from(v: $t) -> Self {
                Label::Int(v as i64)
            }
        }
    )*};
}
from_int!(i8, i16, i32, i64, u8, u16, u32);

impl From<f64> for Label {
    fn from(v: f64) -> Self {
        Label::Float(v)
    }
}

impl From<f32> for Label {
    fn from(v: f32) -> Self {
        Label::Float(v as f64)
    }
}

impl From<bool> for Label {
    fn from(v: bool) -> Self {
        Label::Bool(v)
    }
}

impl From<&str> for Label {
    fn from(v: &str) -> Self {
        Label::Str(v.to_string())
    }
}

impl From<String> for Label {
    fn from(v: String) -> Self {
        Label::Str(v)
    }
}
