//! The `hiroba` command.

fn main() -> std::process::ExitCode {
    hiroba::cli::main()
}
