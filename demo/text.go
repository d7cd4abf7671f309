package demo

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// The demo community gathers around Driftwood, a fictional open-source stream
// processing engine made by the demo company. Titles are drawn from the
// vocabulary below.
const product = "Driftwood"

var (
	tasks = []string{
		"configure TLS between workers", "run Driftwood on Kubernetes", "tune checkpoint intervals",
		"deduplicate events in a window", "read from a Postgres source", "write Parquet files to S3",
		"scale workers horizontally", "monitor consumer lag with Prometheus", "replay a topic from an offset",
		"use the Python client with asyncio", "migrate pipelines from 2.x to 3.x", "set up SSO for the console",
		"limit memory per pipeline", "test pipelines locally", "handle late events", "rotate credentials without downtime",
		"join two streams on a key", "export metrics to OpenTelemetry", "run the operator in a private cluster",
		"upsert into a sink table",
	}
	symptoms = []string{
		"Workers crash with OOM", "Pipeline stuck in PENDING", "Checkpoint timeouts", "High consumer lag",
		"Duplicate events in the sink", "TLS handshake errors", "Console shows no metrics",
		"Operator fails to reconcile", "Slow startup", "Windowed join produces no output",
	}
	components = []string{
		"scheduler", "operator", "cli", "console", "sql", "sink/kafka", "sink/s3", "source/postgres",
		"state", "checkpoint", "auth", "metrics", "helm", "client-go", "client-python",
	}
	bugs = []string{
		"panic on empty batch", "memory leak when reconnecting", "wrong time zone in window boundaries",
		"retries ignore the backoff setting", "crash when the schema changes", "metrics endpoint returns 500",
		"flaky test in the checkpoint suite", "deadlock during shutdown", "incorrect lag reported",
		"config reload drops connections", "nil pointer dereference on restart", "typo in error message",
	}
	features = []string{
		"Avro schema evolution", "a dark mode in the console", "per-pipeline resource limits",
		"OpenTelemetry tracing", "ARM64 images", "an Azure Blob sink", "a dry-run mode for deployments",
		"pause and resume from the CLI", "an exactly-once S3 sink", "a Terraform provider",
		"Protobuf payloads", "custom partitioners",
	}
	achievements = []string{
		"cut our streaming costs by 40%", "moved 2 billion events a day", "replaced a nightly batch job",
		"got p99 latency under 50 ms", "migrated off a legacy message bus", "built real-time fraud detection",
	}
	tools = []string{"Kafka", "Postgres", "ClickHouse", "dbt", "Grafana", "Terraform", "Kubernetes", "DuckDB"}
	areas = []string{
		"the new SQL planner", "the console redesign", "incremental checkpoints", "the operator upgrade path",
		"the Python client", "auto-scaling", "the schema registry",
	}
	mentoringTopics = []string{
		"their first pull request", "setting up a local dev environment", "preparing a conference talk",
		"debugging a production pipeline", "writing a first blog post", "answering forum questions",
		"deploying on Kubernetes", "reviewing pull requests",
	}
)

// titles draws titles from the vocabulary.
type titles struct {
	rng *rand.Rand
}

func (t titles) pick(words []string) string { return words[t.rng.IntN(len(words))] }

// question is the title of a forum topic or Stack Exchange question.
func (t titles) question(version string) string {
	switch t.rng.IntN(6) {
	case 0:
		return "How do I " + t.pick(tasks) + "?"
	case 1:
		return t.pick(symptoms) + " after upgrading to " + version
	case 2:
		return "Best way to " + t.pick(tasks) + "?"
	case 3:
		return "Is it possible to " + t.pick(tasks) + "?"
	case 4:
		return t.pick(symptoms) + " with " + t.pick(tools)
	default:
		return "Help: " + t.pick(symptoms)
	}
}

// issue is the title of a GitHub issue: a bug report or a feature request.
func (t titles) issue() string {
	switch t.rng.IntN(5) {
	case 0, 1, 2:
		return t.pick(components) + ": " + t.pick(bugs)
	case 3:
		return "Feature request: " + t.pick(features)
	default:
		return "Docs: explain how to " + t.pick(tasks)
	}
}

// pullRequest is the title of a pull request in conventional-commit style.
func (t titles) pullRequest() string {
	c := t.pick(components)
	switch t.rng.IntN(6) {
	case 0, 1:
		return "fix(" + c + "): " + t.pick(bugs)
	case 2:
		return "feat(" + c + "): add " + t.pick(features)
	case 3:
		return "docs: how to " + t.pick(tasks)
	case 4:
		return "test(" + c + "): cover " + t.pick(bugs)
	default:
		return "perf(" + c + "): avoid allocations in the hot path"
	}
}

// dependencyBump is the title of a bot's dependency update on repository r.
func (t titles) dependencyBump(bot string, r *repo) string {
	dep := t.pick(r.deps)
	major, minor, patch := t.rng.IntN(3), t.rng.IntN(30), t.rng.IntN(12)
	from := strconv.Itoa(major) + "." + strconv.Itoa(minor) + "." + strconv.Itoa(patch)
	to := strconv.Itoa(major) + "." + strconv.Itoa(minor) + "." + strconv.Itoa(patch+1)
	if t.rng.IntN(3) == 0 {
		to = strconv.Itoa(major) + "." + strconv.Itoa(minor+1) + ".0"
	}
	if bot == "renovate[bot]" {
		return "chore(deps): update " + dep + " to v" + to
	}
	return "Bump " + dep + " from " + from + " to " + to
}

// post is the title of a blog post.
func (t titles) post(version string) string {
	switch t.rng.IntN(8) {
	case 0:
		return "Getting started with " + product + " on " + t.pick(tools)
	case 1:
		return "How we " + t.pick(achievements) + " with " + product
	case 2:
		return strconv.Itoa(3+t.rng.IntN(8)) + " lessons from running " + product + " in production"
	case 3:
		return "Building a real-time dashboard with " + product + " and " + t.pick(tools)
	case 4:
		return product + " " + version + ": what's new"
	case 5:
		return "Deep dive: " + t.pick(areas)
	case 6:
		return "Tutorial: how to " + t.pick(tasks)
	default:
		return "Benchmarking " + product + " against " + t.pick(tools)
	}
}

// talk is the title of a conference talk or a workshop.
func (t titles) talk(workshop bool) string {
	if workshop {
		return "Workshop: " + t.pick(tasks)
	}
	switch t.rng.IntN(5) {
	case 0:
		return "Streaming at scale with " + product
	case 1:
		return "How we " + t.pick(achievements)
	case 2:
		return "Lightning talk: how to " + t.pick(tasks)
	case 3:
		return "Inside " + t.pick(areas)
	default:
		return product + " and " + t.pick(tools) + " in production"
	}
}

// versionAt names the release of Driftwood current at time at: a minor
// release every quarter, and 3.0 a year and a half into the history.
func versionAt(start, at int64) string {
	q := int((at - start) / int64(quarter/time.Second))
	if q < 6 {
		return "2." + strconv.Itoa(4+q)
	}
	return "3." + strconv.Itoa(q-6)
}

// slug turns a title into the lower-case, hyphenated form used in URLs.
func slug(title string) string {
	var b strings.Builder
	b.Grow(len(title))
	dash := false
	for _, r := range asciiFold(title) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r + 'a' - 'A')
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// asciiFold replaces the accented letters of the name lists by their base
// letters, for handles, email addresses and URLs.
func asciiFold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r < 0x80 {
			b.WriteRune(r)
			continue
		}
		if f, ok := folds[r]; ok {
			b.WriteString(f)
		}
	}
	return b.String()
}

var folds = map[rune]string{
	'á': "a", 'à': "a", 'â': "a", 'ä': "a", 'ã': "a", 'å': "a", 'Á': "A", 'Å': "A",
	'é': "e", 'è': "e", 'ê': "e", 'ë': "e", 'ě': "e", 'É': "E",
	'í': "i", 'ì': "i", 'î': "i", 'ï': "i", 'ı': "i",
	'ó': "o", 'ò': "o", 'ô': "o", 'ö': "o", 'õ': "o", 'ø': "o", 'Ö': "O",
	'ú': "u", 'ù': "u", 'û': "u", 'ü': "u", 'ů': "u",
	'ñ': "n", 'ń': "n", 'ç': "c", 'ć': "c", 'č': "c", 'Č': "C", 'Ç': "C",
	'ł': "l", 'Ł': "L", 'ś': "s", 'š': "s", 'ş': "s", 'Ş': "S", 'ż': "z", 'ź': "z", 'ž': "z",
	'ý': "y", 'ř': "r", 'ğ': "g", 'ß': "ss",
}
