//! Where codes come from: the terminal without echo, or standard input, one per line, when
//! it is not a terminal. Never the command line.

use std::io::{BufRead, IsTerminal};

use zeroize::Zeroizing;

/// Why a code could not be read.
#[derive(Debug)]
pub(crate) enum InputError {
    /// Standard input ended before this code.
    Missing,
    /// The terminal or standard input failed.
    Io,
}

/// Reads the codes of one command.
pub(crate) struct CodeSource {
    terminal: bool,
}

impl CodeSource {
    pub(crate) fn new() -> Self {
        CodeSource {
            terminal: std::io::stdin().is_terminal(),
        }
    }

    /// One code, asked for with `prompt` on the terminal (no echo), or the next line of
    /// standard input. The text is zeroized on drop.
    pub(crate) fn read(&mut self, prompt: &str) -> Result<Zeroizing<String>, InputError> {
        if self.terminal {
            return rpassword::prompt_password(format!("{prompt}: "))
                .map(Zeroizing::new)
                .map_err(|_| InputError::Io);
        }
        let mut line = Zeroizing::new(String::new());
        let n = std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|_| InputError::Io)?;
        if n == 0 {
            return Err(InputError::Missing);
        }
        Ok(Zeroizing::new(
            line.trim_end_matches(['\r', '\n']).to_string(),
        ))
    }
}
