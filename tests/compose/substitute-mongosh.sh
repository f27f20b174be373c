#!/bin/bash
# mongosh in the stand-in for the mongo image: the real mongosh (npm), with one change. FerretDB
# 1.x has no roles (createUser refuses any), so the code of each --eval is run after a patch that
# drops them from createUser and updateUser. Which roles compose.yaml's mongo-init grants is
# therefore not exercised here (k8s's bootstrap tests check the same roles on their side).
patch='{
  const proto = Object.getPrototypeOf(db), create = proto.createUser, update = proto.updateUser;
  proto.createUser = function (user, ...rest) { return create.call(this, {...user, roles: []}, ...rest); };
  proto.updateUser = function (name, change, ...rest) {
    const {roles, ...rest_of_change} = change;
    return update.call(this, name, rest_of_change, ...rest);
  };
}'
args=()
while [ $# -gt 0 ]; do
    if [ "$1" = --eval ] && [ $# -ge 2 ]; then
        args+=(--eval "$patch
$2")
        shift 2
    else
        args+=("$1")
        shift
    fi
done
exec /opt/mongosh/node_modules/.bin/mongosh "${args[@]}"
