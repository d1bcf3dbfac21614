# Guest side of the lab chaos test (tools/lab/chaos): run one sequence of
# real IOMMU operations from OPS-FILE under the daemon and the kernel's own
# tracepoint iommu:attach_device_to_domain, then check the oracles.
# Usage (in a guest, from the repo root):
#   bash tests/lab/chaos-guest.sh OPS-FILE [EVERY]
# EVERY: check the oracles at the quiet point after every EVERY-th op
# (default 1), and always at the end.
# CHAOS_PASID=1 (the host's word that this target has the PASID test
# module): the pasids oracle runs, and fails if the module is not there.
# OPS-FILE: one operation a line, "KIND BDF [ARG]" (see op_* below).
# Output, one fact a line:
#   op N KIND BDF [ARG] ok|fail:REASON
#   oracle NAME POINT pass|fail: DETAIL      (POINT: the op index, or end)
#   (NAME: attach, domains, pasids, violations, replay, kernel, ops)
#   ops KIND=N... failed=N
#   ops done N of M (at least M/4)
#   oracles NAME=PASSED/CHECKED...
#   chaos: pass|fail
set -uo pipefail
# A private copy, so a rebuild on the host cannot change the binary under
# a running sequence (a replay that died of SIGSEGV right after a relink on
# the host is the likely case: the rerun's journal replays clean).
cp build/iommuwatch /tmp/iommuwatch && IW=/tmp/iommuwatch
. tests/lab/lib.sh

OPS=${1:?usage: chaos-guest.sh OPS-FILE [EVERY]}
[ -r "$OPS" ] || { echo "chaos: fail (cannot read $OPS)"; exit 1; }
EVERY=${2:-1}
J=/tmp/j.jsonl
TR=/sys/kernel/tracing
TP=$TR/events/iommu/attach_device_to_domain
# Devices the sequence may touch; 00:1d.0 and 00:1e.0 carry the 9p root.
TOUCH_RE='^0000:00:(01\.0|02\.0|03\.0|1f\.[0-9])$'

declare -A n_ok n_fail pass checked
bad=0

# ---- operations: each returns 0 or prints one reason word and returns 1 ----

sysw() { # sysw VALUE FILE: write, the errno text on failure
	local err
	if err=$( (echo "$1" >"$2") 2>&1); then return 0; fi
	echo "${err##*: }" | tr ' ' '_'
	return 1
}

driver_of() {
	local l
	l=$(readlink "/sys/bus/pci/devices/$1/driver" 2>/dev/null) || { echo none; return; }
	basename "$l"
}

op_type() { # type BDF TYPE: the group's default domain type through sysfs
	local g
	g=$(group_of "$1") && [ -n "$g" ] || { echo no_group; return 1; }
	sysw "$2" "/sys/kernel/iommu_groups/$g/type"
}

# Bugs a line is known to have, and what iommuwatch must then report:
# 6.12 attaches the driver's release domain at iommu_deinit_device, and
# Intel's is the blocking domain, even on a device whose firmware asks for
# direct mappings (an RMRR): blocked_with_rmr at each such removal
# (trace_rmrr_release shows the attach itself). AMD's 6.12 has no release
# domain, virtio-iommu none on any line.
# 7.3's core puts such a device on the identity domain at its release, as
# it should, but AMD's identity attach leaves the driver's dev_data->domain
# set, and amd_iommu_release_device() then WARNs (WARN_ON(dev_data->domain),
# iommu.c:2555 in 7.3.4): one kernel WARN per removal, no violation
# (identity is what the firmware asked for).
KNOWN_WARN='amd_iommu_release_device'
known_warns=0

# direct_mapped BDF: firmware asks direct mappings in the device's group.
direct_mapped() {
	grep -q ' direct$' "/sys/kernel/iommu_groups/$(group_of "$1")/reserved_regions"
}

known_release_bugs() { # BDF
	direct_mapped "$1" || return 0
	case $IOMMUWATCH_LAB_FAMILY/$IOMMUWATCH_LAB_LINE in
	intel/6.12) pending+=("blocked_with_rmr release") ;;
	amd/7.3 | amd/7.3-rt) known_warns=$((known_warns + 1)) ;;
	esac
}

op_remove() { # remove BDF: remove, then rescan the bus
	[ -e "/sys/bus/pci/devices/$1" ] || { echo absent; return 1; }
	pasid_contract_ok "$1" || { echo pasid_contract; return 1; }
	# What the removal must cause, known before it, counted once it is done.
	pending=() pending_doms=()
	pasid_before_remove "$1"
	known_release_bugs "$1"
	sysw 1 "/sys/bus/pci/devices/$1/remove" || return 1
	pending_commit
	sysw 1 /sys/bus/pci/rescan
}

op_unbind() { # unbind BDF: whatever driver it has
	local d
	d=$(driver_of "$1")
	[ "$d" != none ] || { echo no_driver; return 1; }
	pasid_contract_ok "$1" || { echo pasid_contract; return 1; }
	sysw "$1" "/sys/bus/pci/drivers/$d/unbind" || return 1
	echo >"/sys/bus/pci/devices/$1/driver_override" 2>/dev/null
	return 0
}

op_vfio_bind() { # vfio_bind BDF: vfio-pci through driver_override
	[ "$(driver_of "$1")" = none ] || { echo has_driver; return 1; }
	sysw vfio-pci "/sys/bus/pci/devices/$1/driver_override" || return 1
	sysw "$1" /sys/bus/pci/drivers_probe
	[ "$(driver_of "$1")" = vfio-pci ] || { echo not_bound; return 1; }
}

# AMD's 6.1 has no require_direct check: a VFIO claim of a device with an
# IVMD puts it on the blocking domain (the ownership claim, then again
# when type1 detaches), which blocked_with_rmr must report each time.
# Intel's 6.1 driver refuses instead (expect_driver_refusals).
known_claim_bugs() { # BDF
	[ "$IOMMUWATCH_LAB_FAMILY/$IOMMUWATCH_LAB_LINE" = amd/6.1 ] || return 0
	direct_mapped "$1" || return 0
	grep -q '^claimed group' /tmp/claim.out && expect_violation "blocked_with_rmr owner"
	grep -q '^type1 attached' /tmp/claim.out && expect_violation "blocked_with_rmr detach"
	return 0
}

op_claim() { # claim BDF: a VMM's open of the VFIO group, then its close
	local g rc=0
	g=$(group_of "$1")
	[ -e "/dev/vfio/$g" ] || { echo no_vfio_group; return 1; }
	build/tests/vfio_claim "$g" >/tmp/claim.out 2>&1 || rc=$?
	known_claim_bugs "$1"
	[ $rc = 0 ] || { tail -n 1 /tmp/claim.out | tr ' ' '_'; return 1; }
}

op_reset() { # reset BDF: a PCI function reset, where the device has one
	[ -e "/sys/bus/pci/devices/$1/reset" ] || { echo no_reset; return 1; }
	sysw 1 "/sys/bus/pci/devices/$1/reset"
}

op_e1000e_bind() { # e1000e_bind BDF
	[ "$(driver_of "$1")" = none ] || { echo has_driver; return 1; }
	sysw "$1" /sys/bus/pci/drivers/e1000e/bind
}

# ---- PASID operations, through the iw_pasid test module (tests/kmod) ----
# The module acts for one device at a time, as an in-kernel PASID user
# would. Its listing (the kernel calls that returned 0) is the kernel side
# of the pasids oracle, since sysfs has no PASID view. Removing its device
# with PASIDs attached is the bug stale_pasid exists for (a driver would
# detach first): the violations that follow are expected, and must come.
PASID_KO=$IOMMUWATCH_CACHE/kmod/$IOMMUWATCH_LAB_LINE/iw_pasid.ko
pasid_bdf=          # the device the module holds, empty when not loaded
declare -A stale_doms  # our domains attached to PASIDs of a removed device
declare -A expect      # "KIND PATH" -> violations the sequence must cause

expect_violation() { # "KIND PATH"
	expect[$1]=$((${expect[$1]:-0} + 1))
}

# pasid_listing: the module's "pasid P dom D" lines while its device is
# present, nothing otherwise.
pasid_listing() {
	local l present=0
	while read -r l; do
		[[ $l =~ ^dev\ .*\ present\ 1 ]] && present=1
		[ $present = 1 ] && [[ $l == pasid\ * ]] && echo "$l"
	done <"$PASID_CMD"
}

op_pasid_load() { # pasid_load BDF
	local err
	[ -z "$pasid_bdf" ] || { echo loaded; return 1; }
	[ -e "$PASID_KO" ] || { echo no_module; return 1; }
	err=$(insmod "$PASID_KO" bdf="$1" 2>&1) || {
		echo "${err##*: }" | tr ' ' '_'
		return 1
	}
	pasid_bdf=$1
}

# A free of a domain still on PASIDs of the removed device is flagged.
expect_stale_free() { # DOM
	[ -n "${stale_doms[$1]:-}" ] || return 0
	unset "stale_doms[$1]"
	expect_violation "stale_pasid free"
}

op_pasid_unload() { # pasid_unload BDF: detaches and frees what is left
	local d
	[ "$pasid_bdf" = "$1" ] || { echo not_loaded; return 1; }
	rmmod iw_pasid 2>/dev/null || { echo rmmod_failed; return 1; }
	pasid_bdf=
	for d in "${!stale_doms[@]}"; do expect_stale_free "$d"; done
}

op_pasid() { # pasid BDF "COMMAND ARGS": one module command
	local words
	[ "$pasid_bdf" = "$1" ] || { echo not_loaded; return 1; }
	sysw "$2" "$PASID_CMD" || return 1
	read -ra words <<<"$2"
	[ "${words[0]}" != free ] || expect_stale_free "${words[1]:-0}"
}

# An in-kernel PASID user is the device's driver and detaches before it
# unbinds; the module is not the driver, so the sequence keeps that for it:
# a DMA-API driver (not vfio-pci, which manages DMA itself) does not leave
# the module's device while PASIDs are on it. 6.12's core WARNs otherwise
# (iommu_device_unuse_default_domain), as it should.
pasid_contract_ok() { # BDF
	local d
	[ "$pasid_bdf" = "$1" ] && [ -n "$(pasid_listing)" ] || return 0
	d=$(driver_of "$1")
	[ "$d" = none ] || [ "$d" = vfio-pci ]
}

# Before removing the module's device: what the removal leaves behind.
pasid_before_remove() { # BDF
	local l n=0 re='^pasid [0-9]+ dom ([0-9]+)$'
	[ "$pasid_bdf" = "$1" ] || return 0
	while read -r l; do
		n=$((n + 1))
		[[ $l =~ $re ]] && pending_doms+=("${BASH_REMATCH[1]}")
	done < <(pasid_listing)
	[ $n = 0 ] || pending+=("stale_pasid release")
}

pending_commit() {
	local p d
	for p in ${pending[@]+"${pending[@]}"}; do expect_violation "$p"; done
	for d in ${pending_doms[@]+"${pending_doms[@]}"}; do stale_doms[$d]=1; done
}

# ---- oracles ----

# note NAME POINT RESULT DETAIL
note() {
	checked[$1]=$((${checked[$1]:-0} + 1))
	if [ "$3" = pass ]; then
		pass[$1]=$((${pass[$1]:-0} + 1))
	else
		bad=1
	fi
	echo "oracle $1 $2 $3: $4"
}

# Per device: tracepoint attaches vs iommuwatch's core-path attaches.
# The tracepoint fires in __iommu_attach_device after a successful op only;
# iommuwatch also reports the release (the op called directly), the PCI
# reset hooks, the deferred attach and the in-place DMA -> DMA-FQ change
# (no op at all), which the tracepoint never sees.
# trace_pipe is drained into a file from the start: a read of "trace"
# while events come hung the 7.3 guest.
TP_LOG=/tmp/tp.txt
TP_PID=

# Forks are dear in a TCG guest: one per source, the rest in bash.
# same_map A B: two "KEY VALUE" line sets equal, whatever the order.
same_map() {
	local -A m
	local k v n=0
	while read -r k v; do [ -n "$k" ] && m[$k]=$v && n=$((n + 1)); done <<<"$1"
	while read -r k v; do
		[ -n "$k" ] || continue
		[ "${m[$k]-}" = "$v" ] || return 1
		n=$((n - 1))
	done <<<"$2"
	[ $n = 0 ]
}

tp_counts() {
	awk '/attach_device_to_domain: IOMMU: device=/ {
	       d = $0; sub(/.*device=/, "", d); sub(/[^0-9a-f:.].*/, "", d); n[d]++ }
	     END { for (d in n) print d, n[d] }' "$TP_LOG" | sort
}
iw_counts() {
	jq -rn '[inputs | select(.type == "transition" and .pasid == null and .ret == 0
	         and (.path | IN("release", "reset", "deferred") | not)
	         and .hook != "iommu_group_store_type") | .device]
	       | group_by(.) | .[] | "\(.[0]) \(length)"' "$J"
}
# oracle_compare NAME POINT TRIES DELAY KERNEL-FN IW-FN KERNEL-LABEL IW-LABEL:
# the two views agree, retried while events may still be on their way.
oracle_compare() {
	local name=$1 point=$2 tries=$3 delay=$4 a b ok=1
	for _ in $(seq 1 "$tries"); do
		a=$($5) b=$($6)
		same_map "$a" "$b" && ok=0 && break
		sleep "$delay"
	done
	if [ $ok = 0 ]; then
		note "$name" "$point" pass "$(echo $a | tr ' ' ':')"
	else
		note "$name" "$point" fail "$7 [$(echo $a)] $8 [$(echo $b)]"
	fi
}
oracle_attach() { # POINT [RETRIES]
	oracle_compare attach "$1" "${2:-1}" 0.5 tp_counts iw_counts tracepoint iommuwatch
}

sysfs_types() { # "GROUP type" for every group with devices
	local g t d
	for g in /sys/kernel/iommu_groups/*; do
		d=("$g"/devices/*)
		[ -e "${d[0]}" ] || continue
		read -r t <"$g/type"
		case $t in
		DMA) t=dma ;; DMA-FQ) t=dma-fq ;; identity) t=identity ;;
		blocked) t=blocked ;; unmanaged) t=unmanaged ;;
		esac
		echo "${g##*/} $t"
	done
}
# metric_pairs RE [SKIP]: "\1 \2" of each /metrics line RE matches, but
# those whose \2 is SKIP.
metric_pairs() {
	local l
	while read -r l; do
		[[ $l =~ $1 ]] && [ "${BASH_REMATCH[2]}" != "${2-}" ] &&
			echo "${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
	done < <(curl -s --max-time 10 "$IW_URL/metrics")
}
iw_types() {
	metric_pairs '^iommuwatch_group_domain_info\{group="([0-9]+)",type="([a-z-]+)",iommu="[^"]*"\} 1$'
}
oracle_domains() { # POINT [RETRIES]
	oracle_compare domains "$1" "${2:-1}" 0.3 sysfs_types iw_types sysfs daemon
}

# Per group, PASIDs attached: the module's listing vs iommuwatch_pasids.
kernel_pasids() {
	local n
	[ -n "$pasid_bdf" ] || return 0
	n=$(pasid_listing | wc -l)
	[ "$n" = 0 ] || echo "$(group_of "$pasid_bdf") $n"
}
iw_pasids() {
	metric_pairs '^iommuwatch_pasids\{group="([0-9]+)"\} ([0-9]+)$' 0
}
oracle_pasids() { # POINT [RETRIES]
	[ "${CHAOS_PASID:-0}" = 1 ] || return 0
	if [ ! -e "$PASID_KO" ]; then
		note pasids "$1" fail "no PASID test module at $PASID_KO"
		return
	fi
	oracle_compare pasids "$1" "${2:-1}" 0.3 kernel_pasids iw_pasids module daemon
}

VSEL='select(.type == "violation") | [.kind, .group, .device, .path, .evidence] | tostring'
# 6.1's core asks the Intel driver to put an RMRR device on the blocking
# domain (a VFIO claim); the driver refuses and says so in the kernel log:
# each refusal is one attach_failed (trace_rmrr_vfio).
expect_driver_refusals() {
	local n
	n=$(dmesg | grep -c 'ineligible for IOMMU domain attach due to platform RMRR')
	[ "$n" = 0 ] || expect["attach_failed owner"]=$n
}

# The violations the sequence caused (expect) must come, no other may.
# A journal with no transition would agree with an empty expectation
# whatever the rules do: it fails instead.
oracle_violations() {
	local v want got k n
	expect_driver_refusals
	n=$(grep -c '"type":"transition"' "$J")
	if [ "$n" = 0 ]; then
		note violations end fail "the journal holds no transition to judge"
		return
	fi
	v=$(jq -r "$VSEL" "$J")
	want=$(for k in "${!expect[@]}"; do echo "$k ${expect[$k]}"; done | sort)
	got=$(jq -rn '[inputs | select(.type == "violation") | "\(.kind) \(.path)"]
		| group_by(.) | .[] | "\(.[0]) \(length)"' "$J" | sort)
	if [ "$want" = "$got" ]; then
		note violations end pass "$(paste -sd, <<<"${got:-none}") in $n transitions"
	else
		note violations end fail "expected [$(echo $want)] journal [$(echo $got)]"
		echo "$v" | sed '/^$/d; s/^/violation: /'
	fi
}
# The kernel itself complained: a WARN or BUG (the test module's misuse of
# an API shows up here too, and must be fixed, not waived).
oracle_kernel() {
	local re='(WARNING|BUG|Oops|general protection)[: ]' w known
	known=$(dmesg | grep -E "$re" | grep -c "$KNOWN_WARN")
	w=$(dmesg | grep -E "$re" | grep -v -m 1 "$KNOWN_WARN")
	if [ -z "$w" ] && [ "$known" = "$known_warns" ]; then
		note kernel end pass "no WARN or BUG$([ "$known" = 0 ] || echo " but the $known known")"
	elif [ -z "$w" ]; then
		note kernel end fail "$known WARNs in $KNOWN_WARN, $known_warns expected"
	else
		note kernel end fail "$w"
		dmesg | grep -A 12 -E "$re" | head -n 40 | sed 's/^/dmesg: /'
	fi
}

# iw_replay_matches checks that replay counted every transition; with none
# in the journal there is nothing to replay.
oracle_replay() {
	if ! grep -q '"type":"transition"' "$J"; then
		note replay end fail "the journal holds no transition to replay"
	elif iw_replay_matches "$J" >/tmp/j.replay.out; then
		note replay end pass "$(head -n 1 /tmp/j.replay.out)"
	else
		note replay end fail "$(head -n 1 /tmp/j.replay.out)"
		sed -n '2,$p' /tmp/j.replay.out
		sed 's/^/replay err: /' /tmp/iw.replay.err | head -5
	fi
}

# ---- the run ----

echo 0 >/sys/bus/pci/drivers_autoprobe # binds happen only as ops say
modprobe vfio-pci && modprobe vfio_iommu_type1 && modprobe e1000e ||
	{ echo "chaos: fail (modprobe)"; exit 1; }
# Nothing remaps interrupts on AMD-Vi under TCG or on virtio-iommu: type1
# refuses a container there unless told that this is acceptable.
[ "$IOMMUWATCH_LAB_FAMILY" = intel ] ||
	echo Y >/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts
echo 0 >"$TP/enable"
echo >"$TR/trace"
iw_daemon_start --journal "$J" || { echo "chaos: fail (daemon)"; exit 1; }
cat "$TR/trace_pipe" >"$TP_LOG" &
TP_PID=$!
echo 1 >"$TP/enable"
oracle_domains start 10

i=0
while read -r kind bdf arg; do
	[ -n "$kind" ] && [ "${kind#\#}" = "$kind" ] || continue
	i=$((i + 1))
	if ! [[ $bdf =~ $TOUCH_RE ]]; then
		echo "op $i $kind $bdf refused: not a chaos device"
		bad=1
		continue
	fi
	key=$kind # tallied per module command: pasid_attach, pasid_free...
	[ "$kind" != pasid ] || key=pasid_${arg%% *}
	# In this shell, not a subshell: the PASID ops keep state.
	if "op_$kind" "$bdf" ${arg:+"$arg"} >/tmp/op.why; then
		n_ok[$key]=$((${n_ok[$key]:-0} + 1))
		echo "op $i $kind $bdf${arg:+ $arg} ok"
	else
		why=$(</tmp/op.why)
		n_fail[$key]=$((${n_fail[$key]:-0} + 1))
		echo "op $i $kind $bdf${arg:+ $arg} fail:${why:-error}"
	fi
	[ $((i % EVERY)) = 0 ] || continue
	oracle_domains "$i" 10
	oracle_attach "$i" 6
	oracle_pasids "$i" 10
done <"$OPS"

oracle_attach end 6
oracle_domains end 10
oracle_pasids end 10
echo 0 >"$TP/enable"
sleep 0.5
kill "$TP_PID"
iw_daemon_stop >/tmp/iwd.stop
grep -E 'level=(error|warn)|daemon exit [^0]' /tmp/iwd.stop | sed 's/^/daemon: /'
grep -q '^daemon exit 0$' /tmp/iwd.stop || bad=1
oracle_violations
oracle_replay
oracle_kernel
jq -rn '[inputs | select(.type == "transition")]
	| "journal transitions \(length), ret!=0 \([.[] | select(.ret != null and .ret != 0)] | length), paths \(group_by(.path) | map("\(.[0].path)=\(length)") | join(" "))"' "$J"
if [ -n "${CHAOS_DUMP:-}" ]; then
	sed 's/^/trace: /' "$TP_LOG"
	jq -c 'select(.type == "transition" or .type == "release") | [.device, .pasid, .from, .to, .path, .hook, .ret]' "$J" | sed 's/^/journal: /'
fi

line="ops"
failed=0
for k in $(printf '%s\n' "${!n_ok[@]}" "${!n_fail[@]}" | sort -u); do
	line+=" $k=${n_ok[$k]:-0}"
	[ -z "${n_fail[$k]:-}" ] || line+="+${n_fail[$k]}failed"
	failed=$((failed + ${n_fail[$k]:-0}))
done
echo "$line failed=$failed"
# Refused operations change nothing, and oracles that compare unchanged
# state pass: a quarter of the operations at least must be done (the
# kernel refuses many by design: 6.12 has no PASID replace, for one).
done_n=$((i - failed)) floor=$(((i + 3) / 4))
echo "ops done $done_n of $i (at least $floor)"
if [ "$done_n" -ge "$floor" ]; then
	note ops end pass "$done_n of $i done"
else
	note ops end fail "$done_n of $i done, at least $floor must be"
fi
line="oracles"
for k in attach domains pasids violations replay kernel ops; do
	line+=" $k=${pass[$k]:-0}/${checked[$k]:-0}"
done
echo "$line"
if [ $bad = 0 ]; then echo "chaos: pass"; else echo "chaos: fail"; fi
[ $bad = 0 ]
