{{/* The Deployment of one component (bot or worker): include with (dict "ctx" . "component" "bot"). */}}
{{- define "kube-autofix.deployment" -}}
{{- $ctx := .ctx -}}
{{- $v := index $ctx.Values .component -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "kube-autofix.fullname" $ctx }}-{{ .component }}
  labels:
    {{- include "kube-autofix.componentLabels" . | nindent 4 }}
spec:
  replicas: {{ $v.replicas }}
  selector:
    matchLabels:
      {{- include "kube-autofix.selector" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "kube-autofix.componentLabels" . | nindent 8 }}
      annotations:
        # Roll the pods when their settings change.
        checksum/config: {{ include (print $ctx.Template.BasePath "/configmap.yaml") $ctx | sha256sum }}
        {{- with $v.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ ternary (include "kube-autofix.workerServiceAccount" $ctx) (include "kube-autofix.botServiceAccount" $ctx) (eq .component "worker") }}
      # Only the worker talks to the API server; the bot has no token mounted at all.
      automountServiceAccountToken: {{ eq .component "worker" }}
      {{- if eq .component "worker" }}
      terminationGracePeriodSeconds: {{ $v.terminationGracePeriodSeconds }}
      {{- end }}
      {{- with $ctx.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- include "kube-autofix.podSecurity" (dict "uid" 1000) | nindent 8 }}
      containers:
        - name: {{ .component }}
          image: {{ include "kube-autofix.image" $ctx }}
          imagePullPolicy: {{ $ctx.Values.image.pullPolicy }}
          args: [{{ .component | quote }}]
          ports:
            - name: http
              containerPort: {{ $ctx.Values.port }}
              protocol: TCP
          envFrom:
            - configMapRef:
                name: {{ include "kube-autofix.fullname" $ctx }}
          env:
            {{- include "kube-autofix.env" . | nindent 12 }}
            {{- with $v.extraEnv }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          readinessProbe:
            httpGet: { path: /healthz, port: http }
            periodSeconds: 10
            timeoutSeconds: 3
          livenessProbe:
            httpGet: { path: /healthz, port: http }
            initialDelaySeconds: 20
            periodSeconds: 20
            timeoutSeconds: 3
            # /healthz fails while Redis is down; restarting would not bring it back, so be patient.
            failureThreshold: 6
          resources:
            {{- toYaml $v.resources | nindent 12 }}
          securityContext:
            {{- include "kube-autofix.containerSecurity" . | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- if $ctx.Values.redis.tlsCaSecret }}
            - name: redis-ca
              mountPath: /etc/kube-autofix/redis-ca
              readOnly: true
            {{- end }}
            {{- if eq $ctx.Values.identity.applyAs "approver" }}
            - name: identities
              mountPath: {{ dir (include "kube-autofix.identitiesPath" $ctx) }}
              readOnly: true
            {{- end }}
      volumes:
        - name: tmp
          emptyDir: { sizeLimit: 64Mi }
        {{- with $ctx.Values.redis.tlsCaSecret }}
        - name: redis-ca
          secret:
            secretName: {{ . }}
            items: [{ key: ca.crt, path: ca.crt }]
        {{- end }}
        {{- if eq $ctx.Values.identity.applyAs "approver" }}
        - name: identities
          configMap:
            name: {{ include "kube-autofix.fullname" $ctx }}-identities
        {{- end }}
      {{- with $v.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end -}}
