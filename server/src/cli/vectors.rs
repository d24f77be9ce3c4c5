//! `echostream vectors`: checks the engine against JSON-lines OT vectors.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use echostream::conformance::{run_lines, Report};

use super::input;

/// Arguments of `echostream vectors`.
#[derive(Args)]
pub struct VectorsArgs {
    /// JSON-lines files of apply, transform, compose and invert records
    /// (plain or gzip). A file with no records counts as failed.
    #[arg(required = true)]
    files: Vec<PathBuf>,

    /// The number of failing records printed in full for each file.
    #[arg(long, default_value_t = 5)]
    show: usize,
}

/// Runs every file and prints one summary line per file, followed by its
/// first failures. Exits with failure if any record failed, any file could
/// not be read or any file contained no records.
pub fn run(args: VectorsArgs) -> ExitCode {
    let mut passed = 0;
    let mut failed = 0;
    let mut ok = true;

    for path in &args.files {
        let text = match input::read_text(path) {
            Ok(text) => text,
            Err(error) => {
                eprintln!("error: {}", super::report::describe(&error));
                ok = false;
                continue;
            }
        };
        let report = run_lines(&text);
        print_report(path, &report, args.show);
        if report.passed + report.failures.len() == 0 {
            eprintln!("error: {} contains no records", path.display());
            ok = false;
        }
        passed += report.passed;
        failed += report.failures.len();
    }

    println!("total: {passed} passed, {failed} failed");
    if ok && failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn print_report(path: &Path, report: &Report, show: usize) {
    println!(
        "{}: {} passed, {} failed",
        path.display(),
        report.passed,
        report.failures.len()
    );
    for failure in report.failures.iter().take(show) {
        println!("  record:   {}", failure.line);
        println!("  computed: {}", failure.actual);
    }
    let hidden = report.failures.len().saturating_sub(show);
    if hidden > 0 {
        println!("  ... and {hidden} more failures");
    }
}
