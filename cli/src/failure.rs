//! How a command fails: one `error:` line, optional `hint:` lines, and an exit code.

use std::fmt;

/// Exit code of a key that is not valid (or cannot be read as a key).
pub const EXIT_INVALID: u8 = 1;
/// Exit code of a usage error: bad arguments, unreadable or malformed files (clap uses 2 too).
pub const EXIT_USAGE: u8 = 2;

/// What went wrong, for the person at the terminal.
#[derive(Debug)]
pub struct Failure {
    /// Which exit code.
    pub class: Class,
    /// The `error:` line (no trailing newline).
    pub message: String,
    /// The `hint:` lines.
    pub hints: Vec<String>,
}

/// The two kinds of failure, with their exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// The key was read and is not valid: exit 1.
    Invalid,
    /// The command could not run as asked: exit 2.
    Usage,
}

impl Failure {
    /// A key that is not valid.
    pub fn invalid(message: impl fmt::Display) -> Self {
        Failure {
            class: Class::Invalid,
            message: message.to_string(),
            hints: Vec::new(),
        }
    }

    /// A usage or file error.
    pub fn usage(message: impl fmt::Display) -> Self {
        Failure {
            class: Class::Usage,
            message: message.to_string(),
            hints: Vec::new(),
        }
    }

    /// Adds a `hint:` line.
    pub fn hint(mut self, hint: impl fmt::Display) -> Self {
        self.hints.push(hint.to_string());
        self
    }

    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        match self.class {
            Class::Invalid => EXIT_INVALID,
            Class::Usage => EXIT_USAGE,
        }
    }

    /// The lines for stderr.
    pub fn render(&self) -> String {
        let mut s = format!("error: {}\n", one_line(&self.message));
        for h in &self.hints {
            s.push_str("hint: ");
            s.push_str(&one_line(h));
            s.push('\n');
        }
        s
    }
}

/// Keeps a message on one line, whatever a file name or an OS error put into it.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect()
}
