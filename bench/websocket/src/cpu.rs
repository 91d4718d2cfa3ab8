//! CPU time of a process (all its threads), from the kernel's accounting.

use std::io;
use std::process::Command;

/// Clock ticks per second of `/proc/*/stat` (`getconf CLK_TCK`, 100 when
/// that cannot be run).
pub fn clock_ticks_per_second() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(100.0)
}

/// utime + stime so far of the process `pid` (`None`: this process), in
/// clock ticks.
pub fn cpu_ticks(pid: Option<u32>) -> io::Result<u64> {
    let path = match pid {
        Some(pid) => format!("/proc/{pid}/stat"),
        None => "/proc/self/stat".to_owned(),
    };
    let stat = std::fs::read_to_string(&path)?;
    parse_cpu_ticks(&stat).ok_or_else(|| io::Error::other(format!("unreadable {path}")))
}

/// utime + stime (fields 14 and 15) of a `/proc/PID/stat` line.
fn parse_cpu_ticks(stat: &str) -> Option<u64> {
    // The command name (field 2) is in parentheses and may hold spaces.
    let after_name = &stat[stat.rfind(')')? + 1..];
    let mut fields = after_name.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_utime_and_stime() {
        let stat = "42 (a b) S 1 42 42 0 -1 4194560 100 0 0 0 250 31 0 0 20 0 1 0 5 100 10";
        assert_eq!(parse_cpu_ticks(stat), Some(281));
        assert_eq!(parse_cpu_ticks("42 (x"), None);
    }

    #[test]
    fn own_cpu_time_is_readable() {
        assert!(cpu_ticks(None).is_ok());
        assert!(cpu_ticks(Some(std::process::id())).is_ok());
        assert!(clock_ticks_per_second() > 0.0);
    }
}
