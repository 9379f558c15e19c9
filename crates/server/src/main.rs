//! `flow-server`: the session server. Its contract is `shared/spec/session-protocol.md`.

fn main() -> std::process::ExitCode {
    eprintln!("flow-server: not built yet (see issue 4); the demo serves the widget's dev page");
    std::process::ExitCode::FAILURE
}
