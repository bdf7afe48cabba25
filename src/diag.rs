//! Warnings and errors about the input, each tied to a place (`file:line`).
//!
//! Bad input never stops a run: the bad row or document is reported here and
//! skipped, and the caller decides how to show the list.

use std::fmt;

/// How bad a diagnostic is. `Error` means something was skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

/// One message about one place in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// `path:line`, or just `path` when no line applies.
    pub location: String,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{level}: {}: {}", self.location, self.message)
    }
}

/// An append-only list of diagnostics.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn warn(&mut self, location: impl Into<String>, message: impl Into<String>) {
        self.push(Severity::Warning, location.into(), message.into());
    }

    pub fn error(&mut self, location: impl Into<String>, message: impl Into<String>) {
        self.push(Severity::Error, location.into(), message.into());
    }

    fn push(&mut self, severity: Severity, location: String, message: String) {
        self.items.push(Diagnostic { severity, location, message });
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.items.iter().filter(|d| d.severity == severity).count()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}
