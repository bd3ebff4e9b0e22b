{{/* Names, labels, and the pieces bot and worker pods share. */}}

{{- define "kube-autofix.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "kube-autofix.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "kube-autofix.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "kube-autofix.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "kube-autofix.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "kube-autofix.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of one component: include with (dict "ctx" . "component" "bot"). */}}
{{- define "kube-autofix.selector" -}}
app.kubernetes.io/name: {{ include "kube-autofix.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "kube-autofix.componentLabels" -}}
{{ include "kube-autofix.labels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "kube-autofix.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "kube-autofix.workerServiceAccount" -}}
{{- printf "%s-worker" (include "kube-autofix.fullname" .) -}}
{{- end -}}

{{- define "kube-autofix.botServiceAccount" -}}
{{- printf "%s-bot" (include "kube-autofix.fullname" .) -}}
{{- end -}}

{{- define "kube-autofix.redisName" -}}
{{- printf "%s-redis" (include "kube-autofix.fullname" .) -}}
{{- end -}}

{{/* A worker-only release (mode=worker) uses the central Redis, never its own. */}}
{{- define "kube-autofix.bundledRedis" -}}
{{- if and (ne .Values.mode "worker") (not .Values.redis.url) (not .Values.redis.existingSecret) -}}true{{- end -}}
{{- end -}}

{{/* Which components this release runs (mode: all | bot | worker). */}}
{{- define "kube-autofix.runsBot" -}}
{{- if ne .Values.mode "worker" -}}true{{- end -}}
{{- end -}}

{{- define "kube-autofix.runsWorker" -}}
{{- if ne .Values.mode "bot" -}}true{{- end -}}
{{- end -}}

{{/* The Secret created from values (when any group has no existingSecret). */}}
{{- define "kube-autofix.valuesSecret" -}}
{{- printf "%s-credentials" (include "kube-autofix.fullname" .) -}}
{{- end -}}

{{- define "kube-autofix.alertsSecret" -}}
{{- default (printf "%s-alerts" (include "kube-autofix.fullname" .)) .Values.alerts.existingSecret -}}
{{- end -}}

{{- define "kube-autofix.slackSecret" -}}
{{- default (include "kube-autofix.valuesSecret" .) .Values.slack.existingSecret -}}
{{- end -}}

{{- define "kube-autofix.openaiSecret" -}}
{{- default (include "kube-autofix.valuesSecret" .) .Values.openai.existingSecret -}}
{{- end -}}

{{/* Non-empty when traces also go to the user's OpenTelemetry collector. */}}
{{- define "kube-autofix.otel" -}}
{{- if or .Values.otel.endpoint .Values.otel.tracesEndpoint }}true{{ end -}}
{{- end -}}

{{- define "kube-autofix.otelSecret" -}}
{{- default (include "kube-autofix.valuesSecret" .) .Values.otel.existingSecret -}}
{{- end -}}

{{- define "kube-autofix.mlflowSecret" -}}
{{- default (include "kube-autofix.valuesSecret" .) .Values.mlflow.existingSecret -}}
{{- end -}}

{{/* One env var from a Secret key: (dict "name" "X" "secret" "s" "optional" true). */}}
{{- define "kube-autofix.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret }}
      key: {{ .name }}
      optional: {{ .optional }}
{{- end -}}

{{/* Checks across values that a JSON schema cannot express; each message says what to set. */}}
{{- define "kube-autofix.validate" -}}
{{- if and (not .Values.slack.existingSecret) (not .Values.slack.botToken) -}}
{{- fail "kube-autofix: set slack.botToken (the xoxb- Bot User OAuth Token) or slack.existingSecret (a Secret with the key SLACK_BOT_TOKEN)" -}}
{{- end -}}
{{- if and (eq .Values.mode "worker") (not .Values.redis.url) (not .Values.redis.existingSecret) -}}
{{- fail "kube-autofix: mode=worker joins the central install: set redis.url (or redis.existingSecret) to the Redis its bot uses" -}}
{{- end -}}
{{- if and (eq .Values.mode "bot") (include "kube-autofix.bundledRedis" .) -}}
{{- fail "kube-autofix: mode=bot serves workers in other clusters, which reach Redis over the network with TLS and a password; the bundled Redis has neither and admits only this release's pods: set redis.url (rediss://) or redis.existingSecret" -}}
{{- end -}}
{{- if and (eq .Values.redis.mode "sentinel") (not .Values.redis.sentinelMaster) -}}
{{- fail "kube-autofix: redis.mode=sentinel needs redis.sentinelMaster (the name of the master the sentinels monitor)" -}}
{{- end -}}
{{- if and (ne .Values.redis.mode "standalone") (include "kube-autofix.bundledRedis" .) -}}
{{- fail (printf "kube-autofix: redis.mode=%s needs redis.url (or redis.existingSecret) with its nodes; the bundled Redis is a single node" .Values.redis.mode) -}}
{{- end -}}
{{- if and (ne .Values.mode "worker") (eq .Values.slack.mode "http") (not .Values.slack.existingSecret) (not .Values.slack.signingSecret) -}}
{{- fail "kube-autofix: slack.mode=http needs slack.signingSecret (or slack.existingSecret with SLACK_SIGNING_SECRET); for Socket Mode set slack.mode=socket" -}}
{{- end -}}
{{- if and (ne .Values.mode "worker") (eq .Values.slack.mode "socket") (not .Values.slack.existingSecret) (not .Values.slack.appToken) -}}
{{- fail "kube-autofix: slack.mode=socket needs slack.appToken (an xapp- token with connections:write) or slack.existingSecret with SLACK_APP_TOKEN" -}}
{{- end -}}
{{- if and (eq .Values.slack.mode "socket") .Values.ingress.enabled -}}
{{- fail "kube-autofix: ingress.enabled is for the Events API (slack.mode=http); Socket Mode connects out to Slack and needs no Ingress" -}}
{{- end -}}
{{- if le (int .Values.worker.terminationGracePeriodSeconds) (int .Values.queue.jobLockSeconds) -}}
{{- fail (printf "kube-autofix: worker.terminationGracePeriodSeconds (%v) must be longer than queue.jobLockSeconds (%v), so a stopping worker finishes its jobs before another takes them over" .Values.worker.terminationGracePeriodSeconds .Values.queue.jobLockSeconds) -}}
{{- end -}}
{{- if .Values.alerts.enabled -}}
{{- if not (hasKey .Values.alerts.routes "*") -}}
{{- fail "kube-autofix: alerts.routes needs a default route \"*\": C0OPS (where refusals and unrouted alerts go)" -}}
{{- end -}}
{{- range $ns, $channel := .Values.alerts.routes -}}
{{- if and (ne $ns "*") (not (has $ns $.Values.namespaces)) -}}
{{- fail (printf "kube-autofix: alerts.routes routes %s, which is not in namespaces" $ns) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if and (eq .Values.identity.applyAs "worker") (not .Values.slack.approvers) -}}
{{- fail "kube-autofix: slack.approvers needs at least one user or user group with identity.applyAs=worker (or set identity.applyAs=approver and let RBAC decide)" -}}
{{- end -}}
{{- if and (eq .Values.identity.applyAs "approver") (not .Values.identity.identities) -}}
{{- fail "kube-autofix: identity.applyAs=approver needs identity.identities (Slack user id → {user, groups}); without them nobody can approve" -}}
{{- end -}}
{{- range $key, $entry := .Values.identity.identities -}}
{{- if and (hasPrefix "S" $key) $entry.user -}}
{{- fail (printf "kube-autofix: identity.identities.%s is a Slack user group: it maps to groups only, never to a user" $key) -}}
{{- end -}}
{{- if and (not (hasPrefix "S" $key)) (not $entry.user) -}}
{{- fail (printf "kube-autofix: identity.identities.%s needs a user (the Kubernetes user name the approver is impersonated as)" $key) -}}
{{- end -}}
{{- range (concat (list (default "" $entry.user)) (default list $entry.groups)) -}}
{{- if or (hasPrefix "system:" .) (eq . "kubeadm:cluster-admins") -}}
{{- fail (printf "kube-autofix: identity.identities.%s maps to %s; system: users and groups (system:masters above all) and cluster-admin groups are never impersonated" $key .) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- range $channel, $ns := .Values.slack.channelNamespaces -}}
{{- if not (has $ns $.Values.namespaces) -}}
{{- fail (printf "kube-autofix: slack.channelNamespaces maps %s to %s, which is not in namespaces" $channel $ns) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Where bot and worker read AUTOFIX_IDENTITIES. */}}
{{- define "kube-autofix.identitiesPath" -}}
/etc/kube-autofix/identities/identities.yaml
{{- end -}}

{{/* The Kubernetes users and groups the identities map (and e-mail lookups) may hand to the worker to impersonate. */}}
{{- define "kube-autofix.impersonated" -}}
{{- $users := .Values.identity.emailUsers -}}
{{- $groups := list -}}
{{- range $key, $entry := .Values.identity.identities -}}
{{- with $entry.user }}{{ $users = append $users . }}{{ end -}}
{{- $groups = concat $groups (default list $entry.groups) -}}
{{- end -}}
{{- dict "users" ($users | uniq | sortAlpha) "groups" ($groups | uniq | sortAlpha) | toJson -}}
{{- end -}}

{{/* Pod-level security of every pod: Pod Security "restricted". */}}
{{- define "kube-autofix.podSecurity" -}}
runAsNonRoot: true
runAsUser: {{ .uid }}
runAsGroup: {{ .uid }}
fsGroup: {{ .uid }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "kube-autofix.containerSecurity" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
{{- end -}}

{{/* Environment shared by bot and worker: the ConfigMap, Redis and the credentials this component needs. */}}
{{- define "kube-autofix.env" -}}
{{- $ctx := .ctx -}}
{{- if $ctx.Values.redis.existingSecret }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ $ctx.Values.redis.existingSecret }}
      key: REDIS_URL
{{ include "kube-autofix.secretEnv" (dict "name" "REDIS_USERNAME" "secret" $ctx.Values.redis.existingSecret "optional" true) }}
{{ include "kube-autofix.secretEnv" (dict "name" "REDIS_PASSWORD" "secret" $ctx.Values.redis.existingSecret "optional" true) }}
{{- end }}
{{- if $ctx.Values.redis.tlsCaSecret }}
- name: REDIS_TLS_CA_FILE
  value: /etc/kube-autofix/redis-ca/ca.crt
{{- end }}
{{ include "kube-autofix.secretEnv" (dict "name" "SLACK_BOT_TOKEN" "secret" (include "kube-autofix.slackSecret" $ctx) "optional" false) }}
{{- if eq .component "bot" }}
{{- if eq $ctx.Values.slack.mode "socket" }}
{{ include "kube-autofix.secretEnv" (dict "name" "SLACK_APP_TOKEN" "secret" (include "kube-autofix.slackSecret" $ctx) "optional" false) }}
{{- else }}
{{ include "kube-autofix.secretEnv" (dict "name" "SLACK_SIGNING_SECRET" "secret" (include "kube-autofix.slackSecret" $ctx) "optional" false) }}
{{- end }}
{{- if $ctx.Values.alerts.enabled }}
- name: AUTOFIX_ALERTS_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ include "kube-autofix.alertsSecret" $ctx }}
      key: token
{{- end }}
{{- else if or $ctx.Values.openai.existingSecret $ctx.Values.openai.apiKey }}
{{ include "kube-autofix.secretEnv" (dict "name" "OPENAI_API_KEY" "secret" (include "kube-autofix.openaiSecret" $ctx) "optional" false) }}
{{- end }}
{{- if $ctx.Values.mlflow.trackingUri }}
{{- range list "MLFLOW_TRACKING_TOKEN" "MLFLOW_TRACKING_USERNAME" "MLFLOW_TRACKING_PASSWORD" }}
{{ include "kube-autofix.secretEnv" (dict "name" . "secret" (include "kube-autofix.mlflowSecret" $ctx) "optional" true) }}
{{- end }}
{{- end }}
{{- if and (include "kube-autofix.otel" $ctx) (or $ctx.Values.otel.existingSecret $ctx.Values.otel.headers) }}
{{- range list "OTEL_EXPORTER_OTLP_HEADERS" "OTEL_EXPORTER_OTLP_TRACES_HEADERS" }}
{{ include "kube-autofix.secretEnv" (dict "name" . "secret" (include "kube-autofix.otelSecret" $ctx) "optional" true) }}
{{- end }}
{{- end }}
{{- end -}}
