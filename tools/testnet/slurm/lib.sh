# Shared by the Slurm test cluster's start.sh, stop.sh, status.sh and check.sh;
# sourced, not run. Everything lives in one run directory (git-ignored) and
# talks over 127.0.0.1; nothing uses the system's munge, /etc/slurm or systemd.

slurm_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
slurm_run=${SLURM_TESTNET_RUN:-$slurm_dir/run}
slurm_ctld_port=${SLURM_TESTNET_CTLD_PORT:-16817}
slurm_slurmd_port=${SLURM_TESTNET_SLURMD_PORT:-16818}

# The client commands (sbatch, squeue, scontrol...) find the cluster by this.
export SLURM_CONF=$slurm_run/slurm.conf
munge_socket=$slurm_run/munge/munge.socket.2

# Daemons in start order; stop goes the other way.
slurm_components=(munged slurmctld slurmd)

slurm_pid_file() {
    case $1 in
        munged) echo "$slurm_run/munge/munged.pid" ;;
        *) echo "$slurm_run/$1.pid" ;;
    esac
}

slurm_log_file() {
    case $1 in
        munged) echo "$slurm_run/munge/munged.log" ;;
        *) echo "$slurm_run/$1.log" ;;
    esac
}

# Prints the pid of a daemon started from this run directory: the pid file's
# process must run that program with this run directory in its command line or
# environment (a reused pid is never signalled).
slurm_component_pid() {
    local file pid cmdline
    file=$(slurm_pid_file "$1")
    [[ -r $file ]] || return 1
    pid=$(tr -dc '0-9' < "$file")
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 1
    cmdline=$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null) || return 1
    [[ $cmdline == *"$1"* ]] || return 1
    if [[ $cmdline != *"$slurm_run"* ]]; then
        # slurmctld and slurmd read SLURM_CONF from their environment.
        tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -qxF "SLURM_CONF=$SLURM_CONF" || return 1
    fi
    echo "$pid"
}

# Is the daemon answering?
slurm_component_healthy() {
    case $1 in
        munged) munge -S "$munge_socket" -n </dev/null 2>/dev/null \
                    | unmunge -S "$munge_socket" >/dev/null 2>&1 ;;
        slurmctld) timeout 5 scontrol ping 2>/dev/null | grep -q 'is UP' ;;
        slurmd) [[ $(timeout 5 sinfo -h -N -n localhost -o '%T' 2>/dev/null) =~ ^(idle|mixed|allocated|completing)\*?$ ]] ;;
    esac
}
