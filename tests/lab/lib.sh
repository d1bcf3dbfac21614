# Helpers for lab scenarios, sourced inside the guest from the repo root.
# Start a trace, drive the kernel, stop the trace, print what it reported.

IW=${IW:-build/iommuwatch}
IW_OUT=/tmp/iw.out
IW_ERR=/tmp/iw.err
IW_PID=
# Each iommuwatch run's end, "trace=RC" or "daemon=RC", in order (iw_exits).
IW_EXITS=()

# iw_trace_start [TRACE-ARGS...]: returns once every hook is attached.
iw_trace_start() {
	"$IW" trace "$@" >"$IW_OUT" 2>"$IW_ERR" &
	IW_PID=$!
	for _ in $(seq 1 600); do
		grep -q '^Tracing' "$IW_ERR" && return 0
		kill -0 "$IW_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "iommuwatch did not start:" >&2
	cat "$IW_ERR" >&2
	return 1
}

# iw_trace_stop: SIGINT, wait, then print its stderr (tagged) and status.
# Not in a pipeline: the trace must be a child of this shell.
iw_trace_stop() {
	local rc
	sleep 0.5
	kill -INT "$IW_PID"
	wait "$IW_PID"
	rc=$?
	IW_EXITS+=("trace=$rc")
	sed 's/^/err: /' "$IW_ERR"
	echo "iommuwatch exit $rc"
}

# iw_exits: "iommuwatch exits: trace=RC daemon=RC ..." for every trace and
# daemon stopped so far, so that a case expects each one's status, and
# how many ran ("none" if none did).
iw_exits() {
	echo "iommuwatch exits: ${IW_EXITS[*]:-none}"
}

# wait_until SECONDS CMD...: poll CMD every 0.1 s until it succeeds, for
# what iommuwatch does in its own time (reading its ring, the textfile's
# interval, the module scan); status 1 past the deadline.
wait_until() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -lt "$end" ] || return 1
		sleep 0.1
	done
}

# group_of BDF: the iommu_group number sysfs shows for a PCI device.
group_of() {
	basename "$(readlink "/sys/bus/pci/devices/$1/iommu_group")"
}

# group_type GROUP: the group's domain type as iommuwatch names it.
group_type() {
	tr 'A-Z' 'a-z' <"/sys/kernel/iommu_groups/$1/type"
}

# ensure_group BDF: give the device an iommu_group. 6.12's virtio-iommu
# probes a device only when a driver binds it: bind one (and leave it).
ensure_group() {
	local d=/sys/bus/pci/devices/$1
	[ -e "$d/iommu_group" ] && return 0
	modprobe -q "$(cat "$d/modalias")"
	[ -e "$d/iommu_group" ] && return 0
	echo "ensure_group: $1 has no iommu_group" >&2
	return 1
}

# release_domain: the type the IOMMU core (or the driver) attaches to a
# device without direct mappings as it is released, or nothing. From the
# kernels' sources: Intel's release_domain is its blocking domain (6.7+);
# AMD has none on 6.12 and its blocked domain since 6.19 (the lab's 7.3);
# virtio-iommu has
# none. SMMUv3's 6.12 arm_smmu_release_device attaches its blocked domain
# by itself (through arm_smmu_attach_dev_ste: the op is inlined), 7.3's
# core its release_domain, the blocked domain. 6.1 has no release domain
# at all.
release_domain() {
	case $IOMMUWATCH_LAB_FAMILY/$IOMMUWATCH_LAB_LINE in
	*/6.1) ;;
	intel/*) echo blocked ;;
	amd/6.12) ;;
	amd/*) echo blocked ;;
	virtio/*) ;;
	smmuv3/*) echo blocked ;;
	esac
}

# tracepoint_on: count the core's own attaches from now on (the oracle;
# __iommu_attach_device's iommu:attach_device_to_domain).
tracepoint_on() {
	local t=/sys/kernel/tracing
	echo >"$t/trace"
	echo 1 >"$t/events/iommu/attach_device_to_domain/enable"
}

# tracepoint_attaches BDF: how many the kernel logged for the device.
tracepoint_attaches() {
	grep -c "attach_device_to_domain: IOMMU: device=$1\b" \
		/sys/kernel/tracing/trace || true
}

remove_rescan() {
	echo 1 >"/sys/bus/pci/devices/$1/remove"
	echo 1 >/sys/bus/pci/rescan
}

# iw_records: the JSON Lines trace as one compact line per record:
#   T GROUP DEVICE PASID FROM>TO PATH ret=RET   (transition)
#   R GROUP DEVICE FROM pasids=N                (release)
#   F DOMAIN-TYPE                               (domain freed)
#   V KIND SEVERITY GROUP DEVICE PASID PATH     (violation)
#   G GROUP DOMAIN direct=BOOL                  (start state)
iw_records() {
	jq -r '
	  if .type == "transition" then
	    "T \(.group) \(.device) \(.pasid) \(.from)>\(.to) \(.path) ret=\(.ret)"
	  elif .type == "release" then
	    "R \(.group) \(.device) \(.from) pasids=\(.pasids_left)"
	  elif .type == "domain_free" then "F \(.from)"
	  elif .type == "reset_prepare" then
	    "P \(.group) \(.device) \(.from) ret=\(.ret) blocked=\(.blocked) depth=\(.reset_depth)"
	  elif .type == "reset_done" then
	    "D \(.group) \(.device) \(.from) blocked=\(.blocked) depth=\(.reset_depth)"
	  elif .type == "violation" then
	    "V \(.kind) \(.severity) \(.group) \(.device) \(.pasid) \(.path)"
	  elif .type == "group" then "G \(.group) \(.domain) direct=\(.direct)"
	  else .type end' "$IW_OUT"
}

# rule_kinds: how many violation kinds the rule table holds (every one
# is exported at 0 until it fires), read from the source the binary is
# built from, so a new rule needs no case edited.
rule_kinds() {
	grep -c '^	{ "[a-z_]*", IW_SEV_' src/rules.c
}

# iw_expect_order RE...: the records match the regexes in this order
# (other records may come between). Prints "ORDER OK" or what is missing.
iw_expect_order() {
	local re
	local -a recs
	local i=0
	mapfile -t recs <<<"$(iw_records)"
	for re in "$@"; do
		while [ $i -lt ${#recs[@]} ] && ! [[ ${recs[$i]} =~ $re ]]; do
			i=$((i + 1))
		done
		if [ $i -ge ${#recs[@]} ]; then
			echo "ORDER FAIL: no /$re/ in order"
			return 0
		fi
		i=$((i + 1))
	done
	echo "ORDER OK"
}

# iw_replay_matches [FILE]: replaying a recorded trace or journal (default
# the trace) finds the violations the live run found (kind, place,
# evidence) and reads every transition. Prints the replay's exit status and
# counts, then "REPLAY OK" only when replay read every line (exit 0, or 3
# where the live run found violations), counted the transitions the file
# holds and found the same violations;
# else "REPLAY FAIL: WHY" and a diff. Returns 0 only after "REPLAY OK".
iw_replay_matches() {
	local sel='select(.type == "violation") | [.kind, .severity, .group, .device, .pasid, .path, .evidence] | tostring'
	local f=${1:-$IW_OUT} rc live got want
	"$IW" replay --json "$f" >/tmp/iw.replay 2>/tmp/iw.replay.err
	rc=$?
	live=$(jq -n '[inputs | select(.type == "transition")] | length' "$f")
	got=$(grep -oE '^[0-9]+ transitions,' /tmp/iw.replay.err | tail -n 1)
	got=${got%% *}
	jq -r "$sel" "$f" >/tmp/iw.live.v
	jq -r "$sel" /tmp/iw.replay >/tmp/iw.replay.v
	echo "replay exit $rc, ${got:-no} transitions replayed of $live, $(wc -l </tmp/iw.replay.v) violations"
	want=0
	[ ! -s /tmp/iw.live.v ] || want=3	# 3: violations found
	if [ "$rc" != "$want" ]; then
		echo "REPLAY FAIL: exit $rc, expected $want"
	elif [ "$got" != "$live" ]; then
		echo "REPLAY FAIL: ${got:-no} transitions replayed, $live recorded"
	elif ! diff /tmp/iw.live.v /tmp/iw.replay.v >/tmp/iw.diff; then
		echo "REPLAY FAIL: other violations"
		sed 's/^/replay diff: /' /tmp/iw.diff
	else
		echo "REPLAY OK"
		return 0
	fi
	return 1
}

# The PASID test module (tests/kmod), built on the host by 'make kmods'.
PASID_CMD=/sys/module/iw_pasid/parameters/cmd

pasid_load() {
	insmod "$IOMMUWATCH_CACHE/kmod/$IOMMUWATCH_LAB_LINE/iw_pasid.ko" bdf="$1"
}

# pasid_cmd WORDS...: one module command; prints "cmd WORDS: ok|error".
pasid_cmd() {
	if echo "$*" 2>/tmp/pasid.err >"$PASID_CMD"; then
		echo "cmd $*: ok"
	else
		echo "cmd $*: $(sed 's/.*: //' /tmp/pasid.err)"
	fi
}

# The daemon, on its default address.
IW_URL=http://127.0.0.1:7389
IW_DAEMON_PID=

# iw_daemon_start [DAEMON-ARGS...]: returns once /metrics answers.
iw_daemon_start() {
	"$IW" daemon "$@" 2>/tmp/iwd.err &
	IW_DAEMON_PID=$!
	for _ in $(seq 1 600); do
		curl -sf "$IW_URL/metrics" -o /dev/null && return 0
		kill -0 "$IW_DAEMON_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "daemon did not start:" >&2
	cat /tmp/iwd.err >&2
	return 1
}

# iw_daemon_stop: SIGTERM, wait, print its log (tagged) and exit status.
iw_daemon_stop() {
	local rc
	kill -TERM "$IW_DAEMON_PID"
	wait "$IW_DAEMON_PID"
	rc=$?
	IW_EXITS+=("daemon=$rc")
	sed 's/^/log: /' /tmp/iwd.err
	echo "daemon exit $rc"
}

# iw_thread_caps PID: each thread's credentials, one line per thread
#   thread TID NAME CapEff=.. CapPrm=.. CapInh=.. CapAmb=.. CapBnd=.. NoNewPrivs=N
# then "threads N, privileged M": M threads hold a capability in any of
# those sets or can still gain one (NoNewPrivs 0).
iw_thread_caps() {
	awk '
	  FNR == 1 { tid = FILENAME; sub(".*/task/", "", tid); sub("/.*", "", tid) }
	  /^(Name|CapEff|CapPrm|CapInh|CapAmb|CapBnd|NoNewPrivs):/ {
	    f[tid, $1] = $2; if ($1 == "Name:") ids[++n] = tid
	  }
	  END {
	    for (i = 1; i <= n; i++) {
	      t = ids[i]; line = "thread " t " " f[t, "Name:"]; bad = 0
	      split("CapEff CapPrm CapInh CapAmb CapBnd NoNewPrivs", k, " ")
	      for (j = 1; j <= 6; j++) {
	        v = f[t, k[j] ":"]; line = line " " k[j] "=" v
	        if (j < 6 && v !~ /^0+$/ || j == 6 && v != 1) bad = 1
	      }
	      print line; priv += bad
	    }
	    printf "threads %d, privileged %d\n", n, priv
	  }' /proc/"$1"/task/*/status
}

# iw_thread_ids PID UID GID: each thread's ids, one line per thread
#   ids TID NAME Uid=REAL,EFFECTIVE,SAVED,FS Gid=... Groups=G,...
# then "threads N, root M, not UID:GID K, with groups L": M threads hold
# uid 0 or gid 0 in any of the four, K some other id than UID and GID, L
# a supplementary group.
iw_thread_ids() {
	awk -v uid="$2" -v gid="$3" '
	  FNR == 1 { tid = FILENAME; sub(".*/task/", "", tid); sub("/.*", "", tid) }
	  /^Name:/ { name[tid] = $2; ids[++n] = tid }
	  /^(Uid|Gid):/ {
	    want = $1 == "Uid:" ? uid : gid; f[tid, $1] = $2 "," $3 "," $4 "," $5
	    for (i = 2; i <= 5; i++) {
	      if ($i == 0) root[tid] = 1
	      if ($i != want) other[tid] = 1
	    }
	  }
	  /^Groups:/ { g = $2; for (i = 3; i <= NF; i++) g = g "," $i; grp[tid] = g }
	  END {
	    for (i = 1; i <= n; i++) {
	      t = ids[i]
	      print "ids " t " " name[t] " Uid=" f[t, "Uid:"] " Gid=" f[t, "Gid:"] " Groups=" grp[t]
	      nroot += root[t]; nother += other[t]; ngroups += grp[t] != ""
	    }
	    printf "threads %d, root %d, not %s:%s %d, with groups %d\n", n, nroot, uid, gid, nother, ngroups
	  }' /proc/"$1"/task/*/status
}

# metric SERIES: its value in a fresh scrape ("absent" if not there).
metric() {
	curl -s "$IW_URL/metrics" | awk -v s="$1" \
		'index($0, s " ") == 1 { print $NF; found = 1 } END { if (!found) print "absent" }'
}

# rescans_journalled N FILE...: the journal files, in order, hold N probe
# transitions (a remove/rescan's last record) and the last of them ends
# with a whole line: what a look at the journal after N remove/rescans
# waits for (a release alone comes before the rescan's records are out).
rescans_journalled() {
	local n=$1 f last=
	shift
	for f in "$@"; do [ -s "$f" ] && last=$f; done
	[ -n "$last" ] && [ -z "$(tail -c 1 "$last")" ] &&
		[ "$(cat "$@" 2>/dev/null | grep -c '"path":"probe"')" = "$n" ]
}

# metric_is SERIES VALUE: a fresh scrape has SERIES at VALUE.
metric_is() {
	[ "$(metric "$1")" = "$2" ]
}

# rss_kib PID
rss_kib() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

# data_kib PID: its private writable memory, VmData, which counts what was
# allocated whether or not it was touched (the RSS counts only the pages
# written).
data_kib() {
	awk '/^VmData:/ { print $2 }' "/proc/$1/status"
}

# A real Prometheus server on loopback scraping the daemon every second.
PROM_URL=http://127.0.0.1:9090
PROM_PID=

# prom_start [RULE-FILE...]
prom_start() {
	local rules="" r
	for r in "$@"; do rules+="  - $PWD/$r"$'\n'; done
	cat >/tmp/prom.yml <<-YML
	global:
	  scrape_interval: 1s
	  evaluation_interval: 1s
	rule_files:
	${rules:-  []}
	scrape_configs:
	  - job_name: iommuwatch
	    static_configs:
	      - targets: ['127.0.0.1:7389']
	YML
	prometheus --config.file=/tmp/prom.yml --storage.tsdb.path=/tmp/prom \
		--web.listen-address=127.0.0.1:9090 >/tmp/prom.log 2>&1 &
	PROM_PID=$!
	for _ in $(seq 1 600); do
		curl -sf "$PROM_URL/-/ready" -o /dev/null && return 0
		sleep 0.1
	done
	echo "prometheus did not start:" >&2
	tail -20 /tmp/prom.log >&2
	return 1
}

# prom_query PROMQL: the first result's value, or "none".
prom_query() {
	curl -s "$PROM_URL/api/v1/query" --data-urlencode "query=$1" |
		jq -r '.data.result[0].value[1] // "none"'
}

# prom_wait PROMQL VALUE: poll until the query gives VALUE (30 s at most).
prom_wait() {
	for _ in $(seq 1 300); do
		[ "$(prom_query "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

prom_stop() {
	kill "$PROM_PID" 2>/dev/null
	wait "$PROM_PID" 2>/dev/null
}

# prom_alerts NAME: "KIND SEVERITY" of each firing alert NAME, polled up to
# 30 s until one fires.
prom_alerts() {
	local out
	for _ in $(seq 1 300); do
		out=$(curl -s "$PROM_URL/api/v1/alerts" | jq -r --arg n "$1" \
			'.data.alerts[] | select(.labels.alertname == $n and .state == "firing") | "\(.labels.kind) \(.labels.severity)"')
		[ -n "$out" ] && break
		sleep 0.1
	done
	echo "$out"
}
