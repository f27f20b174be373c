#!/bin/bash
# The mongod container's readiness probe: exits 0 when the local mongod is the primary or a
# secondary of the replica set named $1, 1 otherwise (no answer within 2 s, not initiated,
# syncing, recovering, another set, or run without --replSet).
#
# It asks `hello` over MongoDB's wire protocol in bash alone, without starting any other
# program, because the obvious probe, `mongosh --eval 'db.hello()'`, starts a Node.js runtime
# every time: about a CPU-second and a hundred megabytes a run. This costs milliseconds
# (tests/k8s/test_probe_cost.py measures both with the pinned mongosh and prints the figures).
#
#   member-ready.sh SET_NAME [PORT]   ask the mongod on 127.0.0.1:PORT (27017)
#   member-ready.sh --judge SET_NAME  judge a reply message read from stdin (for the tests)
set -u
export LC_ALL=C # one character is one byte

# Sets `hex` to the bytes of $1 as " xx xx ...".
hex_of() {
    local i h
    hex=''
    for ((i = 0; i < ${#1}; i++)); do
        printf -v h ' %02x' "'${1:i:1}"
        hex+=$h
    done
}

# Reads one reply message (its first 4 bytes give its length, little endian) from file
# descriptor $1 into `reply` as " xx xx ...", byte by byte with bash's own read: a NUL byte is
# the delimiter, read as an empty string. Fails after 2 s or on a length out of bounds.
read_reply() {
    local fd=$1 c h n length=0 i
    reply=''
    for ((i = 0; i < 4 || i < length; i++)); do
        IFS= read -r -d '' -n 1 -t 2 -u "$fd" c || return 1 # end of input or 2 s of silence
        printf -v h ' %02x' "'$c"
        reply+=$h
        if ((i < 4)); then
            printf -v n '%d' "'$c"
            length=$((length | n << (8 * i)))
            ((i == 3 && (length < 21 || length > 65536))) && return 1
        fi
        ((SECONDS < 3)) || return 1
    done
    return 0
}

# Whether `reply` comes from a primary or secondary of $1. In BSON a true boolean field is
# 08 <name> 00 01; a string field is 02 <name> 00 <length, 4 bytes> <bytes> 00.
judge() {
    local set_name=$1 length name_hex set_hex primary_hex secondary_hex
    printf -v length ' %02x %02x %02x %02x' $((${#set_name} + 1)) 0 0 0
    hex_of setName && name_hex=$hex
    hex_of "$set_name" && set_hex=$hex
    hex_of isWritablePrimary && primary_hex=$hex
    hex_of secondary && secondary_hex=$hex
    [[ $reply == *" 02$name_hex 00$length$set_hex 00"* ]] || return 1
    [[ $reply == *" 08$primary_hex 00 01"* || $reply == *" 08$secondary_hex 00 01"* ]]
}

if [ "${1:-}" == "--judge" ]; then
    read_reply 0 && judge "${2:?usage: member-ready.sh --judge SET_NAME}"
    exit
fi
# What is printed on failure shows in `kubectl describe pod` ("Readiness probe failed: ...").
set_name=${1:?usage: member-ready.sh SET_NAME [PORT]}
port=${2:-27017}

# OP_MSG {hello: 1, $db: "admin"}: header (length 52, request id 1, response to 0, opcode
# 2013), flags 0, a body section (kind 0) holding the 31-byte document.
request='\x34\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\xdd\x07\x00\x00\x00\x00\x00\x00\x00'
request+='\x1f\x00\x00\x00\x10hello\x00\x01\x00\x00\x00\x02$db\x00\x06\x00\x00\x00admin\x00\x00'

{ exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || { echo "mongod does not accept connections on port $port"; exit 1; }
printf "$request" >&3
read_reply 3 || { echo "mongod did not answer hello within 2 s"; exit 1; }
judge "$set_name" || { echo "mongod is not a primary or secondary of $set_name yet"; exit 1; }
