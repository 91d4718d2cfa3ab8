//! The examples' command-line options: `--name value` or `--name=value`.

/// The options of `args` in order, as (name, value). Every name must be
/// one of `names`; an unknown argument is an error that shows `usage`.
pub fn options(
    args: impl IntoIterator<Item = String>,
    names: &[&'static str],
    usage: &str,
) -> Result<Vec<(&'static str, String)>, String> {
    let mut args = args.into_iter();
    let mut options = Vec::new();
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) => (name, Some(value.to_owned())),
            None => (arg.as_str(), None),
        };
        let Some(&name) = names.iter().find(|&&known| known == name) else {
            return Err(format!("unknown argument {arg:?} (usage: {usage})"));
        };
        let value = match inline {
            Some(value) => value,
            None => args.next().ok_or(format!("{name} needs a value"))?,
        };
        options.push((name, value));
    }
    Ok(options)
}

/// `value` as a port number.
pub fn port(value: &str) -> Result<u16, String> {
    value.parse().map_err(|_| format!("invalid port {value:?}"))
}
