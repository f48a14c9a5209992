#!/usr/bin/env bash
# Scaling with one polled terraform detector: 1, 10 and 50 concurrent drills against security
# groups one terraform workspace manages, with `terraform plan -refresh-only` as the detector.
# Reports wall time and the plans executed; the target is that plans grow with elapsed
# intervals, not with drills.
#
#   bash benches/scale-terraform.sh      # COUNTS="1 10 50" INTERVAL=20s; part of benches/run.sh
#
# Needs terraform and the hashicorp/aws provider mirror (DRIFTDRILL_TF_PLUGIN_MIRROR or the
# default search, see the README).
source "$(dirname "$0")/lib/common.sh"
counts=${COUNTS:-"1 10 50"}
interval=${INTERVAL:-20s}
max=$(for n in $counts; do echo "$n"; done | sort -n | tail -1)

tf=$work/tf
mkdir -p "$tf"
"$bin" tf-cli-config --out "$work/terraformrc" 2>/dev/null
export TF_CLI_CONFIG_FILE=$work/terraformrc TF_IN_AUTOMATION=1
cat > "$tf/main.tf" <<HCL
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.100" }
  }
}
provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true
  endpoints {
    ec2 = "$url"
    sts = "$url"
  }
}
resource "aws_security_group" "bench" {
  count       = $max
  name        = "bench-tf-\${count.index}-$(basename "$work")"
  description = "driftdrill terraform scaling benchmark"
  tags        = { Environment = "staging", bench = "tf" }
}
output "ids" { value = aws_security_group.bench[*].id }
HCL
(cd "$tf" && terraform init -input=false >/dev/null && terraform apply -auto-approve -input=false >/dev/null)
cleanup_steps+=("(cd '$tf' && terraform destroy -auto-approve -input=false >/dev/null)")
mapfile -t ids < <(cd "$tf" && terraform output -json ids | python3 -c 'import json,sys; print("\n".join(json.load(sys.stdin)))')
# The detector runs terraform through this wrapper, which counts the plans.
cat > "$work/terraform" <<SH
#!/bin/sh
[ "\$1" = plan ] && echo plan >> "$work/plans.log"
exec terraform "\$@"
SH
chmod +x "$work/terraform"

table="| drills | wall time (s) | ratio to 1 drill | terraform plans | detections | peak RSS (MB) |
|---:|---:|---:|---:|---:|---:|"
base="" first_plans="" verdicts=""
for n in $counts; do
  dir="$work/n$n"
  mkdir -p "$dir"
  write_scenarios "$dir/scenarios" plan "${ids[@]:0:$n}"
  write_config "$dir/driftdrill.toml" <<TOML
[[detector]]
name = "plan"
type = "terraform"
dir = "$tf"
program = "$work/terraform"
interval = "$interval"
TOML
  read -r wall rss rc plans detected < <(run_drills "$dir" "$work/plans.log")
  [ -z "$first_plans" ] && first_plans=$plans
  [ "$detected" = "$n" ] || verdicts+="Only $detected of $n drills were detected. "
  [ -z "$base" ] && base=$wall
  ratio=$(python3 -c "print(round($wall / $base, 2))")
  table+=$'\n'"| $n | $wall | $ratio | $plans | $detected/$n | $rss |"
  echo "scale-terraform: n=$n wall=${wall}s ratio=$ratio plans=$plans detected=$detected rc=$rc rss=${rss}MB" >&2
done
(cd "$tf" && terraform plan -refresh-only -detailed-exitcode -input=false >/dev/null) \
  || { echo "scale-terraform: drift left behind in the workspace" >&2; exit 1; }
{
  echo "### Scaling with a terraform detector (plan -refresh-only every $interval, $max managed groups)"
  echo
  echo "$table"
  echo
  echo "Target (plans grow with intervals, not drills): **$(python3 -c "print('met' if $plans <= $first_plans + 1 else 'not met')")** ($first_plans plans for 1 drill, $plans for $n). $verdicts"
} > "$results/scale-terraform.md"
cat "$results/scale-terraform.md"
