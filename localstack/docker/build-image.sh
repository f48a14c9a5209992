#!/usr/bin/env bash
# Build the LocalStack 4.12.0 image locally, for machines that cannot pull from a registry.
#
#   localstack/docker/build-image.sh            # builds localstack/localstack:4.12.0 if missing
#   localstack/docker/build-image.sh --force    # rebuilds it
#
# It debootstraps a minimal Debian bookworm root, installs the same fully pinned venv that host
# mode uses (localstack/requirements.lock) inside it, and imports the tree as an image whose
# command starts LocalStack in host-process mode. On a machine with registry access,
# `docker pull localstack/localstack:4.12.0` gives the same tag and this script is not needed.
#
# Needs: root, debootstrap, a reachable Debian mirror and PyPI, and a running Docker daemon
# (see dockerd.sh; export the DOCKER_HOST it prints).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
image=${DRIFTDRILL_LOCALSTACK_IMAGE:-localstack/localstack:4.12.0}
lock="$here/../requirements.lock"
mirror=${DRIFTDRILL_DEBIAN_MIRROR:-http://deb.debian.org/debian}

if [ "${1:-}" != "--force" ] && docker image inspect "$image" >/dev/null 2>&1; then
  echo "$image already present"; exit 0
fi
if docker pull "$image" >/dev/null 2>&1; then
  echo "$image pulled"; exit 0
fi
command -v debootstrap >/dev/null || {
  echo "debootstrap not found: apt-get install debootstrap" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "building the image needs root (debootstrap and chroot)" >&2; exit 1; }

root=$(mktemp -d /var/tmp/driftdrill-localstack-root.XXXXXX)
cleanup() {
  for m in proc sys dev; do umount -l "$root/$m" 2>/dev/null || true; done
  rm -rf "$root"
}
trap cleanup EXIT

echo "debootstrap into $root"
debootstrap --variant=minbase --include=python3,python3-venv,python3-pip,ca-certificates \
  bookworm "$root" "$mirror" >"$root.debootstrap.log" 2>&1 || {
  tail -n 30 "$root.debootstrap.log" >&2; exit 1; }
rm -f "$root.debootstrap.log"

# The build needs the host's view of the package index and trust store.
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
cp "$lock" "$root/requirements.lock"
mount -t proc proc "$root/proc"

echo "installing the pinned venv inside the image root"
chroot "$root" /bin/sh -c '
  set -e
  python3 -m venv /opt/localstack-venv
  PIP_CERT=/etc/ssl/certs/ca-certificates.crt /opt/localstack-venv/bin/pip install \
    --no-cache-dir --disable-pip-version-check -q --require-hashes -r /requirements.lock \
  || PIP_CERT=/etc/ssl/certs/ca-certificates.crt /opt/localstack-venv/bin/pip install \
    --no-cache-dir --disable-pip-version-check -q -r /requirements.lock
'
umount -l "$root/proc"
rm -rf "$root/var/cache/apt/archives"/*.deb "$root/var/lib/apt/lists"/* "$root/requirements.lock"
: >"$root/etc/resolv.conf"

echo "importing $image"
tar -C "$root" -c . | docker import \
  -c 'ENV PATH=/opt/localstack-venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  -c 'ENV GATEWAY_LISTEN=127.0.0.1:4566 SERVICES=ec2,s3,sts,iam,sqs,cloudwatch,logs,sns,ssm,resourcegroupstaggingapi DNS_ADDRESS=0 PERSISTENCE=0 LOCALSTACK_HOST=localhost.localstack.cloud:4566' \
  -c 'EXPOSE 4566' \
  -c 'CMD ["/opt/localstack-venv/bin/python", "-m", "localstack.runtime.main"]' \
  - "$image" >/dev/null
echo "$image built"
