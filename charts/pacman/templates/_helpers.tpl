{{/*
Names, labels, images and credentials shared by the templates.
*/}}

{{/* The chart's name, or nameOverride. */}}
{{- define "pacman.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The web tier's name: fullnameOverride, else the release name when it contains the chart's
name, else <release>-<chart>. Release `pacman`: `pacman`, as in the kustomize manifests. */}}
{{- define "pacman.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "pacman.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The replica set's name (StatefulSet, headless Service, and the prefix of its Secrets):
`mongo` when the web tier is named `pacman`, as in the kustomize manifests, so that
`kubectl delete pod mongo-0` works as the walkthrough says; else <fullname>-mongo. Kept short:
a member's pod name adds -N and its host name .<service>.<namespace>.svc. */}}
{{- define "pacman.mongo" -}}
{{- $full := include "pacman.fullname" . -}}
{{- if eq $full "pacman" -}}mongo{{- else -}}{{ printf "%s-mongo" ($full | trunc 50 | trimSuffix "-") }}{{- end -}}
{{- end -}}

{{/* The labels of the Secrets and ConfigMaps (as kustomize's generators label theirs: no name
or component). The pod templates carry only stable labels (no chart version): upgrading the
chart restarts no pod whose spec did not change. */}}
{{- define "pacman.commonLabels" -}}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: pacman
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{ include "pacman.chartLabel" . }}
{{- end -}}

{{- define "pacman.chartLabel" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end -}}

{{/* The labels of what the chart makes in another tool's namespace (Velero's Schedule, the
Kanister Blueprint): the release's, which `helm uninstall` and the comparison with the kustomize
recipes (applied there as they are, unlabelled) both know; no part-of, as the recipes have none. */}}
{{- define "pacman.releaseLabels" -}}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{ include "pacman.chartLabel" . }}
{{- end -}}

{{/* The Kanister Blueprint's name: <namespace>-<StatefulSet> (pacman-mongo, as the recipe's),
unique in the tool's namespace, which every namespace's releases share. */}}
{{- define "pacman.blueprint" -}}
{{- printf "%s-%s" .Release.Namespace (include "pacman.mongo" .) -}}
{{- end -}}

{{/* Selector labels, by component: include "pacman.selector" (list . "web") */}}
{{- define "pacman.selector" -}}
{{- $ctx := index . 0 -}}
{{- $component := index . 1 -}}
{{- if eq $component "database" -}}
app.kubernetes.io/name: mongo
{{- else if eq $component "loadtest" -}}
app.kubernetes.io/name: pacman-loadtest
{{- else -}}
app.kubernetes.io/name: {{ include "pacman.name" $ctx }}
{{- end }}
app.kubernetes.io/component: {{ $component }}
app.kubernetes.io/instance: {{ $ctx.Release.Name }}
{{- end -}}

{{/* A pod template's labels: include "pacman.podLabels" (list . "web") */}}
{{- define "pacman.podLabels" -}}
{{ include "pacman.selector" . }}
app.kubernetes.io/part-of: pacman
app.kubernetes.io/managed-by: {{ (index . 0).Release.Service }}
{{- end -}}

{{/* An object's labels: include "pacman.labels" (list . "web") */}}
{{- define "pacman.labels" -}}
{{ include "pacman.podLabels" . }}
{{ include "pacman.chartLabel" (index . 0) }}
{{- end -}}

{{/* repository:tag, with @digest when a digest is given (it wins over the tag; the tag stays
for people to read): include "pacman.image" .Values.image */}}
{{- define "pacman.image" -}}
{{- .repository -}}
{{- with .tag }}:{{ . }}{{ end -}}
{{- with .digest }}@{{ . }}{{ end -}}
{{- end -}}

{{/* The members' host names, as the game's MONGO_SERVICE_HOST lists them: mongo-0.mongo,... */}}
{{- define "pacman.mongoHosts" -}}
{{- $mongo := include "pacman.mongo" . -}}
{{- $hosts := list -}}
{{- range $i := until (int .Values.mongo.members) -}}
{{- $hosts = append $hosts (printf "%s-%d.%s" $mongo $i $mongo) -}}
{{- end -}}
{{- join "," $hosts -}}
{{- end -}}

{{/*
Credentials: a dict with rootPassword, appUsername, appPassword, nextUsername, nextPassword,
keyfile, rotation and rotatedAt (the number and time of the last change of the game's
password; strings, as they are kept in annotations and survive toJson) and source, from the
first of
 - the Secret the user names (auth.existingSecret): nothing is generated, nothing read;
 - the Secrets this release already has (lookup): kept as they are, so an upgrade or a
   reinstall on kept volume claims uses the same ones, and a credential changed in a Secret
   (docs/helm.md, "Credentials") stays changed;
 - new random values (a fresh install).
The game has users taken in turn (auth.appUsername, then -2 and -3): the web pods log in with
one, the members keep the next one ready with its own password. Raising auth.appRotation above
the number the Secret records moves the web pods to the next user, which every member already
has (no call fails), and makes a new next one: what `scripts/credentials.sh --rotate app` does
for the kustomize manifests.
Computed once per render and cached in .Values (templates include it many times).
`helm template` and a client-side dry run cannot look anything up: they show random values.
*/}}
{{- define "pacman.credentials" -}}
{{- if not (hasKey .Values "__credentials") -}}
{{- $mongo := include "pacman.mongo" . -}}
{{- $ns := .Release.Namespace -}}
{{- $users := list .Values.auth.appUsername (printf "%s-2" .Values.auth.appUsername) (printf "%s-3" .Values.auth.appUsername) -}}
{{- $found := dict "rotation" "0" "rotatedAt" "0" -}}
{{- $sts := lookup "apps/v1" "StatefulSet" $ns $mongo -}}
{{- if and $sts (ne (dig "metadata" "annotations" "meta.helm.sh/release-name" "" $sts) .Release.Name) -}}
{{- fail (printf "The StatefulSet %s in namespace %s was not made by this release (kubectl apply -k, or another Helm release): one installer per namespace. Remove the other install first, or install into another namespace (docs/helm.md, \"Clean up\")" $mongo $ns) -}}
{{- end -}}
{{- if .Values.auth.existingSecret -}}
{{- $_ := set $found "source" "existing" -}}
{{- else -}}
{{- $root := lookup "v1" "Secret" $ns (printf "%s-root" $mongo) -}}
{{- $app := lookup "v1" "Secret" $ns (printf "%s-app" $mongo) -}}
{{- $key := lookup "v1" "Secret" $ns (printf "%s-keyfile" $mongo) -}}
{{- if and $root $app $key -}}
{{- $_ := set $found "rootPassword" (index $root.data "password" | b64dec) -}}
{{- $_ := set $found "appUsername" (index $app.data "username" | b64dec) -}}
{{- $_ := set $found "appPassword" (index $app.data "password" | b64dec) -}}
{{- $_ := set $found "nextUsername" (index $app.data "next-username" | default "" | b64dec) -}}
{{- $_ := set $found "nextPassword" (index $app.data "next-password" | default "" | b64dec) -}}
{{- $_ := set $found "keyfile" (index $key.data "keyfile" | b64dec) -}}
{{- $_ := set $found "rotation" (dig "metadata" "annotations" "pacman-k8s.github.io/app-rotation" "0" $app) -}}
{{- $_ := set $found "rotatedAt" (dig "metadata" "annotations" "pacman-k8s.github.io/app-rotated-at" "0" $app) -}}
{{- $_ := set $found "source" "kept" -}}
{{- else if or $root $app $key -}}
{{- fail (printf "Some of this release's credential Secrets (%s-root, %s-app, %s-keyfile) exist in namespace %s and some do not: restore the missing ones, or delete all three and the claims data-%s-N to start afresh (docs/helm.md, \"Credentials\")" $mongo $mongo $mongo $ns $mongo) -}}
{{- else -}}
{{- if lookup "v1" "PersistentVolumeClaim" $ns (printf "data-%s-0" $mongo) -}}
{{- fail (printf "The claim data-%s-0 in namespace %s holds a replica set whose credentials are gone (no Secret %s-root): new ones would not open it. Restore the Secrets %s-root, %s-app and %s-keyfile, or name a Secret with the old ones in auth.existingSecret, or delete the claims data-%s-N to start afresh (docs/helm.md, \"Credentials\")" $mongo $ns $mongo $mongo $mongo $mongo $mongo) -}}
{{- end -}}
{{- $_ := set $found "rootPassword" (randAlphaNum 32) -}}
{{- $_ := set $found "appUsername" (first $users) -}}
{{- $_ := set $found "appPassword" (randAlphaNum 32) -}}
{{- $_ := set $found "keyfile" (randAlphaNum 756) -}}
{{- $_ := set $found "source" "generated" -}}
{{- end -}}
{{- /* The next user: after the current one in $users (a release from before there was one
gets it now). */ -}}
{{- $after := dict -}}
{{- range $i, $user := $users -}}
{{- $_ := set $after $user (index $users (mod (add $i 1) (len $users))) -}}
{{- end -}}
{{- if not $found.nextUsername -}}
{{- $_ := set $found "nextUsername" (get $after $found.appUsername | default (first $users)) -}}
{{- $_ := set $found "nextPassword" (randAlphaNum 32) -}}
{{- end -}}
{{- $wanted := int .Values.auth.appRotation -}}
{{- if gt $wanted (atoi $found.rotation) -}}
{{- if eq $found.source "generated" -}}
{{- $_ := set $found "rotation" (toString $wanted) -}}
{{- else -}}
{{- $since := sub (now).Unix (atoi $found.rotatedAt) -}}
{{- if lt $since 300 -}}
{{- fail (printf "The game's password last changed %d s ago: let that change finish first (the web pods rolled, every member 2/2 and its new next user created: a few minutes), then upgrade again (docs/helm.md, \"Credentials\")" $since) -}}
{{- end -}}
{{- $now := dict "user" $found.nextUsername "password" $found.nextPassword -}}
{{- $_ := set $found "nextUsername" (get $after $now.user | default (first $users)) -}}
{{- $_ := set $found "nextPassword" (randAlphaNum 32) -}}
{{- $_ := set $found "appUsername" $now.user -}}
{{- $_ := set $found "appPassword" $now.password -}}
{{- $_ := set $found "rotation" (toString $wanted) -}}
{{- $_ := set $found "rotatedAt" (toString (now).Unix) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $_ := set .Values "__credentials" $found -}}
{{- end -}}
{{- toJson (get .Values "__credentials") -}}
{{- end -}}

{{/* Where a credential is, as a secretKeyRef's name and key: include "pacman.secretRef" (list . "root" "password")
The chart's own Secrets <mongo>-root and <mongo>-app (keys username, password) and
<mongo>-keyfile (key keyfile); or the user's Secret
(auth.existingSecret) with keys root-username, root-password, app-username, app-password and
keyfile. */}}
{{- define "pacman.secretRef" -}}
{{- $ctx := index . 0 -}}
{{- $secret := index . 1 -}}
{{- $key := index . 2 -}}
{{- if $ctx.Values.auth.existingSecret -}}
name: {{ $ctx.Values.auth.existingSecret }}
key: {{ if eq $secret "keyfile" }}keyfile{{ else }}{{ printf "%s-%s" $secret $key }}{{ end }}
{{- else -}}
name: {{ printf "%s-%s" (include "pacman.mongo" $ctx) $secret }}
key: {{ $key }}
{{- end -}}
{{- end -}}

{{/* A Secret volume with one credential's files: include "pacman.secretVolume" (list . "keyfile" (list "keyfile")) */}}
{{- define "pacman.secretVolume" -}}
{{- $ctx := index . 0 -}}
{{- $secret := index . 1 -}}
secret:
{{- if $ctx.Values.auth.existingSecret }}
  secretName: {{ $ctx.Values.auth.existingSecret }}
  items:
  {{- range $key := index . 2 }}
    - key: {{ include "pacman.secretRef" (list $ctx $secret $key) | fromYaml | dig "key" "" }}
      path: {{ $key }}
  {{- end }}
{{- else }}
  secretName: {{ printf "%s-%s" (include "pacman.mongo" $ctx) $secret }}
{{- end }}
{{- end -}}

{{/* A NetworkPolicy egress rule: DNS on any address (the cluster's resolver is a Service in
kube-system on most clusters, a node-local cache on some: no selector names both). */}}
{{- define "pacman.dnsEgress" -}}
- ports:
    - protocol: UDP
      port: 53
    - protocol: TCP
      port: 53
{{- end -}}
