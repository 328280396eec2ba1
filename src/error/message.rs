//! A message a person reads, named by its key in the catalogue (`i18n/*/hiroba.ftl`) with
//! the values it shows, and worded in the reader's language only when it is shown: a page in
//! the page's language, an API problem in the request's. Services name messages; they never
//! word them.

use std::borrow::Cow;

use fluent::{FluentArgs, FluentValue};

use crate::i18n::{Lang, catalogue};

/// A value a message shows.
#[derive(Debug, Clone, PartialEq)]
pub enum MsgArg {
    Text(String),
    Number(f64),
    /// A message within the message, worded in the same language.
    Nested(Box<Msg>),
}

macro_rules! number_arg {
    ($($t:ty),*) => {$(
        impl From<$t> for MsgArg {
            fn from(n: $t) -> MsgArg {
                MsgArg::Number(n as f64)
            }
        }
    )*};
}
number_arg!(i16, u16, i32, i64, u32, u64, usize);

impl From<Msg> for MsgArg {
    fn from(message: Msg) -> MsgArg {
        MsgArg::Nested(Box::new(message))
    }
}

impl From<String> for MsgArg {
    fn from(text: String) -> MsgArg {
        MsgArg::Text(text)
    }
}

impl From<&str> for MsgArg {
    fn from(text: &str) -> MsgArg {
        MsgArg::Text(text.to_string())
    }
}

impl From<&String> for MsgArg {
    fn from(text: &String) -> MsgArg {
        MsgArg::Text(text.clone())
    }
}

/// A message of the catalogue with its values. Made with [`crate::msg!`], which checks at
/// build time that the key (and each value's name) exists.
#[derive(Debug, Clone, PartialEq)]
pub struct Msg {
    pub key: &'static str,
    pub args: Vec<(&'static str, MsgArg)>,
}

impl Msg {
    /// Prefer [`crate::msg!`], which checks the key.
    pub fn new(key: &'static str) -> Msg {
        Msg {
            key,
            args: Vec::new(),
        }
    }

    pub fn arg(mut self, name: &'static str, value: impl Into<MsgArg>) -> Msg {
        self.args.push((name, value.into()));
        self
    }

    /// The message in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        let mut args = FluentArgs::new();
        for (name, value) in &self.args {
            let value = match value {
                MsgArg::Text(text) => FluentValue::String(Cow::Owned(text.clone())),
                MsgArg::Number(n) => FluentValue::from(*n),
                MsgArg::Nested(inner) => FluentValue::String(Cow::Owned(inner.render(lang))),
            };
            args.set(*name, value);
        }
        catalogue()
            .loader(lang)
            .get_args_fluent(self.key, Some(&args))
    }

    /// The message in the language of the request being answered (see
    /// [`crate::i18n::current`]).
    pub fn render_current(&self) -> String {
        self.render(crate::i18n::current())
    }
}

impl std::fmt::Display for Msg {
    /// English, for logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

/// A catalogue message: `msg!("error-required")`, `msg!("error-too-long", limit = 200)`. The
/// key and the values' names are checked against the catalogue at build time.
#[macro_export]
macro_rules! msg {
    ($key:literal) => {{
        let _ = |l: &i18n_embed::fluent::FluentLanguageLoader| i18n_embed_fl::fl!(l, $key);
        $crate::error::Msg::new($key)
    }};
    ($key:literal, $($name:ident = $value:expr),+ $(,)?) => {{
        let _ = |l: &i18n_embed::fluent::FluentLanguageLoader| {
            i18n_embed_fl::fl!(l, $key, $($name = ""),+)
        };
        $crate::error::Msg::new($key)$(.arg(stringify!($name), $value))+
    }};
}
