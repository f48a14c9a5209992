//! Why LocalStack could not be started, and what driftdrill pins of it.

/// The LocalStack version driftdrill pins: the last free community line that runs on Python 3.11.
pub const VERSION: &str = "4.12.0";
/// Services the embedded LocalStack starts.
pub const SERVICES: &str = "ec2,s3,sts,iam,sqs,cloudwatch,logs,sns,ssm,resourcegroupstaggingapi";

#[derive(Debug, thiserror::Error)]
pub enum LocalStackError {
    #[error(
        "find a way to run LocalStack: no Docker daemon answers at {docker_socket} and {python} was not found.\n\
         Either start Docker (apt-get install docker.io, then `localstack/docker/dockerd.sh start` and export the DOCKER_HOST it prints),\n\
         or install Python 3.11 with venv (apt-get install python3 python3-venv) for host mode,\n\
         or point AWS_ENDPOINT_URL at a LocalStack you run yourself"
    )]
    NoBackend {
        docker_socket: String,
        python: String,
    },
    #[error("use DRIFTDRILL_LOCALSTACK={0:?}: expected auto, docker, host or external")]
    UnknownMode(String),
    #[error("use DRIFTDRILL_LOCALSTACK=external: AWS_ENDPOINT_URL is not set")]
    ExternalWithoutEndpoint,
    #[error(
        "use {0} as the LocalStack endpoint: only loopback endpoints may be used for LocalStack"
    )]
    NotLoopback(String),
    #[error(
        "use DRIFTDRILL_LOCALSTACK=docker: no Docker daemon answers at {0}, or the docker CLI is not on PATH; apt-get install docker.io installs both, then start a daemon with localstack/docker/dockerd.sh start"
    )]
    DockerUnavailable(String),
    #[error(
        "use DRIFTDRILL_LOCALSTACK=host: {0} was not found; install Python 3.11 with venv (apt-get install python3 python3-venv)"
    )]
    PythonUnavailable(String),
    #[error("start LocalStack in a container")]
    Docker(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("start LocalStack in host mode: write the embedded localstack/host.sh")]
    HostScript(#[source] std::io::Error),
    #[error("start LocalStack in host mode: run bash")]
    HostBash(#[source] std::io::Error),
    #[error(
        "start LocalStack in host mode: localstack/host.sh up exited with {status}; see the messages above and {}",
        log.display()
    )]
    HostUp {
        status: std::process::ExitStatus,
        log: std::path::PathBuf,
    },
    #[error("start LocalStack in host mode")]
    HostTask(#[source] tokio::task::JoinError),
    #[error("pick a free loopback port")]
    Port(#[source] std::io::Error),
}
