fn main() {
    std::process::exit(driftdrill::cli::main());
}
