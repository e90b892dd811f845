{{/* Written by Slipway. */}}

{{/* The chart label: name and version, as Helm's own charts write it. */}}
{{- define "worker.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The image reference: by digest when one is set, else by tag. */}}
{{- define "worker.image" -}}
{{- if .digest }}{{ .repository }}@{{ .digest }}{{ else }}{{ .repository }}:{{ .tag }}{{ end }}
{{- end }}
