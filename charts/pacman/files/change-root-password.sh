#!/bin/bash
# Sets the database administrator's password to the one read from stdin, on the primary: the
# first half of changing it (docs/credentials.md; scripts/credentials.sh --rotate root prints
# the command). Run in a member's mongod container, which knows the current one:
#
#   ... | kubectl exec -i mongo-0 -n pacman -c mongod -- bash /scripts/change-root-password.sh
#
# Then apply the overlay holding the new password: the members restart one at a time with it.
# Passwords travel in the environment, never on a command line (`ps` in the pod shows those).
set -eu
IFS= read -r NEW_ROOT_PASSWORD || true   # a last line without a newline still counts
[ -n "$NEW_ROOT_PASSWORD" ] || { echo "change-root-password: no new password on stdin" >&2; exit 2; }
export NEW_ROOT_PASSWORD
exec mongosh --quiet --norc "mongodb://127.0.0.1:${MONGO_PORT:-27017}/?directConnection=true" --eval '
  const env = process.env;
  const login = (conn) => { conn.getDB("admin").auth(env.MONGO_INITDB_ROOT_USERNAME, env.MONGO_INITDB_ROOT_PASSWORD); return conn; };
  const hello = db.getSiblingDB("admin").runCommand({ hello: 1 });
  let conn = db.getMongo();
  if (hello.isWritablePrimary !== true) {
    if (!hello.primary) { print("change-root-password: no primary right now; try again in a few seconds"); quit(1); }
    conn = new Mongo(`mongodb://${hello.primary}/?directConnection=true`);
  }
  const admin = login(conn).getDB("admin");
  admin.changeUserPassword(env.MONGO_INITDB_ROOT_USERNAME, env.NEW_ROOT_PASSWORD, { w: "majority", wtimeout: 10000 });
  print(`change-root-password: ${env.MONGO_INITDB_ROOT_USERNAME}: new password set on ${hello.primary || hello.me || "this member"}; now apply the overlay`);
'
