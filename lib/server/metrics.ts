/**
 * Prometheus metrics in the text exposition format, named as text-embeddings-inference names
 * them (te_request_count, te_request_success, te_request_failure{err}, te_request_duration,
 * te_request_input_length, te_queue_size, te_batch_next_size) so its dashboards read ours, plus
 * te_request_batch_size (inputs per request), te_request_tokens_total, and from the embedding
 * model's scheduler te_batch_next_callers (requests merged into each run) and te_batch_queue_inputs
 * (inputs queued behind the last run). Durations in seconds.
 * Internal: not exported from the package entry point.
 */

import type { SchedulerRun } from '../encode-scheduler.js';

const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const LENGTH_BUCKETS = [8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];
const RUN_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096];

type Labels = Record<string, string>;

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

class Counter {
  readonly values = new Map<string, number>();
  constructor(readonly name: string, readonly help: string) {}
  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }
  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} counter\n`;
    for (const [key, value] of this.values) out += `${this.name}${key} ${value}\n`;
    return out;
  }
}

class Histogram {
  readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(readonly name: string, readonly help: string, readonly buckets: number[]) {}
  observe(value: number, labels: Labels = {}): void {
    const key = labelText(labels);
    let s = this.series.get(key);
    if (s === undefined) {
      s = { labels, counts: new Array<number>(this.buckets.length).fill(0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    for (let i = 0; i < this.buckets.length; i++) if (value <= (this.buckets[i] as number)) (s.counts[i] as number)++;
    s.sum += value;
    s.count++;
  }
  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} histogram\n`;
    for (const s of this.series.values()) {
      this.buckets.forEach((le, i) => {
        out += `${this.name}_bucket${labelText({ ...s.labels, le: String(le) })} ${s.counts[i]}\n`;
      });
      out += `${this.name}_bucket${labelText({ ...s.labels, le: '+Inf' })} ${s.count}\n`;
      out += `${this.name}_sum${labelText(s.labels)} ${s.sum}\n${this.name}_count${labelText(s.labels)} ${s.count}\n`;
    }
    return out;
  }
}

export class Metrics {
  readonly requests = new Counter('te_request_count', 'Requests received, by route');
  readonly successes = new Counter('te_request_success', 'Requests answered with 2xx, by route');
  readonly failures = new Counter('te_request_failure', 'Requests answered with an error, by route and cause');
  readonly duration = new Histogram('te_request_duration', 'Request latency in seconds, by route', DURATION_BUCKETS);
  readonly inputLength = new Histogram('te_request_input_length', 'Tokens per input, by route', LENGTH_BUCKETS);
  readonly batchSize = new Histogram('te_request_batch_size', 'Inputs per request, by route', BATCH_BUCKETS);
  readonly tokens = new Counter('te_request_tokens_total', 'Tokens computed, by route');
  /** TEI's te_batch_next_size: inputs in each native run the scheduler merged (several requests' at once). */
  readonly runSize = new Histogram('te_batch_next_size', 'Inputs per native run of the embedding model, requests merged', RUN_BUCKETS);
  readonly runCallers = new Histogram('te_batch_next_callers', 'Requests merged into each native run of the embedding model', BATCH_BUCKETS);
  /** Inputs queued behind the last run as it started. */
  queuedInputs = 0;
  /** Model requests admitted and not yet answered: the queue in front of the model runs. */
  queueSize = 0;

  /** Records one merged run of the embedding model's scheduler. */
  observeRun(run: SchedulerRun): void {
    this.runSize.observe(run.inputs);
    this.runCallers.observe(run.callers);
    this.queuedInputs = run.queued;
  }

  render(): string {
    return [
      this.requests.render(),
      this.successes.render(),
      this.failures.render(),
      this.duration.render(),
      this.inputLength.render(),
      this.batchSize.render(),
      this.tokens.render(),
      this.runSize.render(),
      this.runCallers.render(),
      `# HELP te_batch_queue_inputs Inputs queued behind the embedding model's last run\n# TYPE te_batch_queue_inputs gauge\nte_batch_queue_inputs ${this.queuedInputs}\n`,
      `# HELP te_queue_size Model requests admitted and not yet answered\n# TYPE te_queue_size gauge\nte_queue_size ${this.queueSize}\n`,
    ].join('');
  }
}
