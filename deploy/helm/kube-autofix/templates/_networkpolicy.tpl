{{/* NetworkPolicy pieces: one egress rule from values, and the DNS + Redis rules every app pod needs. */}}
{{- define "kube-autofix.egressRule" -}}
- to:
    {{- toYaml .to | nindent 4 }}
  ports:
    {{- range .ports }}
    - { protocol: TCP, port: {{ . }} }
    {{- end }}
{{- end -}}
{{- define "kube-autofix.dnsAndRedis" -}}
{{- $ctx := . -}}
- to:
    {{- toYaml $ctx.Values.networkPolicy.dns | nindent 4 }}
  ports:
    - { protocol: UDP, port: 53 }
    - { protocol: TCP, port: 53 }
{{- if include "kube-autofix.bundledRedis" $ctx }}
- to:
    - podSelector:
        matchLabels:
          {{- include "kube-autofix.selector" (dict "ctx" $ctx "component" "redis") | nindent 10 }}
  ports:
    - { protocol: TCP, port: 6379 }
{{- else }}
{{ include "kube-autofix.egressRule" $ctx.Values.networkPolicy.egress.redis }}
{{- end }}
{{- end -}}
