//! Command-line flags shared by the binaries: `--name value` pairs.

use std::io;
use std::str::FromStr;

/// The `--name value` flags of the command line, checked against the names
/// a binary knows.
#[derive(Debug)]
pub struct Flags {
    pairs: Vec<(String, String)>,
    usage: &'static str,
}

impl Flags {
    /// The flags of this process, each one of `known` (names without
    /// `--`); `usage` is the message of every error.
    pub fn from_env(known: &[&str], usage: &'static str) -> io::Result<Flags> {
        Flags::parse(std::env::args().skip(1), known, usage)
    }

    /// The flags in `args`, as [`from_env`](Self::from_env).
    pub fn parse(
        args: impl IntoIterator<Item = String>,
        known: &[&str],
        usage: &'static str,
    ) -> io::Result<Flags> {
        let mut pairs = Vec::new();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            if arg == "-h" || arg == "--help" {
                println!("{usage}");
                std::process::exit(0);
            }
            let name = arg
                .strip_prefix("--")
                .filter(|name| known.contains(name))
                .ok_or_else(|| invalid(&format!("unknown argument {arg}\n{usage}")))?;
            let value = args
                .next()
                .ok_or_else(|| invalid(&format!("{arg} needs a value\n{usage}")))?;
            pairs.push((name.to_owned(), value));
        }
        Ok(Flags { pairs, usage })
    }

    /// The value of `--name` (the last one given), if given.
    pub fn get<T: FromStr>(&self, name: &str) -> io::Result<Option<T>> {
        match self.pairs.iter().rev().find(|(n, _)| n == name) {
            None => Ok(None),
            Some((_, value)) => value
                .parse()
                .map(Some)
                .map_err(|_| invalid(&format!("bad value for --{name}: {value}\n{}", self.usage))),
        }
    }

    /// The value of `--name`, which must be given.
    pub fn require<T: FromStr>(&self, name: &str) -> io::Result<T> {
        self.get(name)?
            .ok_or_else(|| invalid(&format!("--{name} is required\n{}", self.usage)))
    }
}

/// The `--port` of a server binary.
pub fn server_port() -> io::Result<u16> {
    Flags::from_env(&["port"], "usage: <server> --port PORT")?.require("port")
}

/// An `InvalidInput` error with the given message.
pub fn invalid(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(args: &[&str]) -> io::Result<Flags> {
        Flags::parse(
            args.iter().map(|a| a.to_string()),
            &["port", "size"],
            "usage",
        )
    }

    #[test]
    fn reads_known_flags() {
        let f = flags(&["--port", "80", "--size", "16", "--port", "81"]).unwrap();
        assert_eq!(f.get::<u16>("port").unwrap(), Some(81));
        assert_eq!(f.require::<usize>("size").unwrap(), 16);
        assert_eq!(f.get::<usize>("conns").unwrap(), None);
        assert!(f.require::<usize>("conns").is_err());
    }

    #[test]
    fn refuses_unknown_flags_missing_values_and_bad_numbers() {
        assert!(flags(&["--conns", "3"]).is_err());
        assert!(flags(&["--port"]).is_err());
        assert!(flags(&["port", "3"]).is_err());
        assert!(flags(&["--port", "x"]).unwrap().get::<u16>("port").is_err());
    }
}
