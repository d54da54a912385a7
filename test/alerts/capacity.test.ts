// promtool unit tests for the capacity alerts, on the default config (Engine scraped as job="deepgram-engine").
//
// Timing: promtool evaluates the rule groups in an unspecified order at each step (no group_eval_order), so an alert
// reading a recorded series can lag the data by one evaluation per level of recording rules (node rules, then
// cluster rules). "Just before" is therefore one minute before `for:` runs out measured from the first sample (never
// firing yet, whatever the order); "fires" is `for:` plus that lag (firing, whatever the order).
import { describe, it, expect } from 'vitest';
import { alertTest, links, promtoolTestRules, type Series } from '../support/promtool.ts';
import { parseConfig } from '../../core/config.ts';

const NODE_A = 'job="deepgram-engine",instance="10.0.0.5:9991"';
const NODE_B = 'job="deepgram-engine",instance="10.0.0.6:9991"';

/** The gauges the Engine registers at start-up, with the given values (defaults: freshly started, idle). */
function engineGauges(target: string, g: { capacity?: string; stream?: string; batch?: string; tts?: string; max?: string } = {}): Series[] {
  return [
    { series: `engine_estimated_stream_capacity{${target}}`, values: g.capacity ?? '0x40' },
    { series: `engine_active_requests{${target},kind="batch"}`, values: g.batch ?? '0x40' },
    { series: `engine_active_requests{${target},kind="stream"}`, values: g.stream ?? '0x40' },
    { series: `engine_active_requests{${target},kind="tts"}`, values: g.tts ?? '0x40' },
    { series: `engine_max_active_requests{${target}}`, values: g.max ?? '0x40' },
  ];
}
const requests = (target: string, status: string, values: string, kind = 'batch'): Series => ({
  series: `engine_requests_total{${target},kind="${kind}",response_status="${status}"}`,
  values,
});

alertTest('DeepgramStreamCapacityHigh', {
  // 85 open streams on a node that estimates it can hold 100.
  input: engineGauges(NODE_A, { capacity: '100x40', stream: '85x40', batch: '3x40' }),
  fires: {
    at: '16m',
    expect: [
      {
        labels: { severity: 'warning', node: '10.0.0.5' },
        annotations: {
          summary: 'A Deepgram Engine node is close to its estimated stream capacity.',
          description: 'Open streams on node 10.0.0.5 fill 85% of its estimated stream capacity (engine_estimated_stream_capacity), above the 80 % threshold.',
          ...links('DeepgramStreamCapacityHigh', 'deepgram-streaming-capacity', '10.0.0.5'),
        },
      },
    ],
  },
  justBefore: { at: '14m' },
  // 75 of 100; the 20 batch requests on the same node are not streams and do not count.
  belowThreshold: { input: engineGauges(NODE_A, { capacity: '100x40', stream: '75x40', batch: '20x40' }), at: '30m' },
  noTraffic: { input: engineGauges(NODE_A), at: '30m' },
  more: [
    {
      name: 'DeepgramStreamCapacityHigh silent on an idle node with a capacity estimate',
      input: engineGauges(NODE_A, { capacity: '100x40' }),
      alerts: [{ at: '30m', alert: 'DeepgramStreamCapacityHigh', expect: [] }],
    },
    {
      name: 'DeepgramStreamCapacityHigh names only the full node',
      input: [...engineGauges(NODE_A, { capacity: '100x40', stream: '95x40' }), ...engineGauges(NODE_B, { capacity: '100x40', stream: '10x40' })],
      alerts: [
        {
          at: '20m',
          alert: 'DeepgramStreamCapacityHigh',
          expect: [
            {
              labels: { severity: 'warning', node: '10.0.0.5' },
              annotations: {
                summary: 'A Deepgram Engine node is close to its estimated stream capacity.',
                description: 'Open streams on node 10.0.0.5 fill 95% of its estimated stream capacity (engine_estimated_stream_capacity), above the 80 % threshold.',
                ...links('DeepgramStreamCapacityHigh', 'deepgram-streaming-capacity', '10.0.0.5'),
              },
            },
          ],
        },
      ],
    },
  ],
});

alertTest('DeepgramConcurrencyLimitNear', {
  // max_active_requests = 20; 10 batch + 9 stream = 19 active (95 %).
  input: engineGauges(NODE_A, { capacity: '60x40', batch: '10x40', stream: '9x40', max: '20x40' }),
  fires: {
    at: '6m',
    expect: [
      {
        labels: { severity: 'warning', node: '10.0.0.5' },
        annotations: {
          summary: 'A Deepgram Engine node is close to its max_active_requests limit.',
          description: 'Active requests on node 10.0.0.5 are at 95% of its max_active_requests limit, above the 90 % threshold; at 100 % the Engine turns new requests away.',
          ...links('DeepgramConcurrencyLimitNear', 'deepgram-streaming-capacity', '10.0.0.5'),
        },
      },
    ],
  },
  justBefore: { at: '4m' },
  // 17 of 20 (85 %).
  belowThreshold: { input: engineGauges(NODE_A, { capacity: '60x40', batch: '10x40', stream: '7x40', max: '20x40' }), at: '20m' },
  noTraffic: { input: engineGauges(NODE_A, { max: '20x40' }), at: '20m' },
  more: [
    {
      // engine_max_active_requests 0 is the default and means "no limit": 500 active requests are not "near" it.
      name: 'DeepgramConcurrencyLimitNear silent without a limit',
      input: engineGauges(NODE_A, { capacity: '60x40', batch: '450x40', stream: '50x40', max: '0x40' }),
      alerts: [{ at: '20m', alert: 'DeepgramConcurrencyLimitNear', expect: [] }],
    },
    {
      name: 'DeepgramConcurrencyLimitNear counts tts requests too',
      input: engineGauges(NODE_A, { tts: '10x40', max: '10x40' }),
      alerts: [
        {
          at: '10m',
          alert: 'DeepgramConcurrencyLimitNear',
          expect: [
            {
              labels: { severity: 'warning', node: '10.0.0.5' },
              annotations: {
                summary: 'A Deepgram Engine node is close to its max_active_requests limit.',
                description: 'Active requests on node 10.0.0.5 are at 100% of its max_active_requests limit, above the 90 % threshold; at 100 % the Engine turns new requests away.',
                ...links('DeepgramConcurrencyLimitNear', 'deepgram-streaming-capacity', '10.0.0.5'),
              },
            },
          ],
        },
      ],
    },
  ],
});

alertTest('DeepgramNoHeadroomForNodeLoss', {
  // Two nodes of 100 streams each: 110 open streams fit in 200, but not in the 100 left if one node is lost.
  input: [...engineGauges(NODE_A, { capacity: '100x40', stream: '60x40' }), ...engineGauges(NODE_B, { capacity: '100x40', stream: '50x40' })],
  fires: {
    at: '17m',
    expect: [
      {
        labels: { severity: 'warning' },
        annotations: {
          summary: 'The Deepgram fleet could not carry its live streams if one Engine node failed.',
          description: '110 live streams are open on the Deepgram Engine nodes, more than the nodes other than the largest could hold: losing one node would overload the rest.',
          ...links('DeepgramNoHeadroomForNodeLoss', 'deepgram-streaming-capacity'),
        },
      },
    ],
  },
  justBefore: { at: '14m' },
  // 90 open streams: one node could carry them all.
  belowThreshold: {
    input: [...engineGauges(NODE_A, { capacity: '100x40', stream: '50x40' }), ...engineGauges(NODE_B, { capacity: '100x40', stream: '40x40' })],
    at: '30m',
  },
  noTraffic: { input: [...engineGauges(NODE_A), ...engineGauges(NODE_B)], at: '30m' },
  more: [
    {
      // A single-node deployment has no N+1 by design: 90 of 100 streams is not an N+1 problem.
      name: 'DeepgramNoHeadroomForNodeLoss silent for a single-node cluster',
      input: engineGauges(NODE_A, { capacity: '100x40', stream: '90x40' }),
      alerts: [{ at: '30m', alert: 'DeepgramNoHeadroomForNodeLoss', expect: [] }],
    },
    {
      // Unequal nodes: losing the big one (150) leaves 50, and 60 streams do not fit.
      name: 'DeepgramNoHeadroomForNodeLoss subtracts the largest node',
      input: [...engineGauges(NODE_A, { capacity: '150x40', stream: '40x40' }), ...engineGauges(NODE_B, { capacity: '50x40', stream: '20x40' })],
      alerts: [
        {
          at: '20m',
          alert: 'DeepgramNoHeadroomForNodeLoss',
          expect: [
            {
              labels: { severity: 'warning' },
              annotations: {
                summary: 'The Deepgram fleet could not carry its live streams if one Engine node failed.',
                description: '60 live streams are open on the Deepgram Engine nodes, more than the nodes other than the largest could hold: losing one node would overload the rest.',
                ...links('DeepgramNoHeadroomForNodeLoss', 'deepgram-streaming-capacity'),
              },
            },
          ],
        },
      ],
    },
  ],
});

describe('capacity alerts, multi-cluster', () => {
  it('judges N+1 headroom per cluster and names it', () => {
    const config = parseConfig({ cluster: { multiCluster: true } });
    const eu = (instance: string) => `job="deepgram-engine",cluster="eu-1",instance="${instance}"`;
    const us = (instance: string) => `job="deepgram-engine",cluster="us-1",instance="${instance}"`;
    const result = promtoolTestRules(config, [
      {
        name: 'only eu-1 lacks headroom',
        input: [
          // eu-1: 2 x 100, 130 streams open.
          ...engineGauges(eu('10.0.0.5:9991'), { capacity: '100x40', stream: '70x40' }),
          ...engineGauges(eu('10.0.0.6:9991'), { capacity: '100x40', stream: '60x40' }),
          // us-1: 3 x 100, 130 streams open, 200 left after losing one node.
          ...engineGauges(us('10.1.0.5:9991'), { capacity: '100x40', stream: '50x40' }),
          ...engineGauges(us('10.1.0.6:9991'), { capacity: '100x40', stream: '40x40' }),
          ...engineGauges(us('10.1.0.7:9991'), { capacity: '100x40', stream: '40x40' }),
        ],
        alerts: [
          {
            at: '20m',
            alert: 'DeepgramNoHeadroomForNodeLoss',
            expect: [
              {
                labels: { severity: 'warning', cluster: 'eu-1' },
                annotations: {
                  summary: 'The Deepgram fleet could not carry its live streams if one Engine node failed.',
                  description: '130 live streams are open on the Deepgram Engine nodes in cluster eu-1, more than the nodes other than the largest could hold: losing one node would overload the rest.',
                  ...links('DeepgramNoHeadroomForNodeLoss', 'deepgram-streaming-capacity', undefined, 'eu-1'),
                },
              },
            ],
          },
        ],
      },
    ]);
    expect(result.code, result.output).toBe(0);
  });

  it('names the node and its cluster in per-node alerts', () => {
    const config = parseConfig({ cluster: { multiCluster: true } });
    const result = promtoolTestRules(config, [
      {
        name: 'stream capacity high in eu-1',
        input: engineGauges('job="deepgram-engine",cluster="eu-1",instance="10.0.0.5:9991"', { capacity: '100x40', stream: '90x40' }),
        alerts: [
          {
            at: '20m',
            alert: 'DeepgramStreamCapacityHigh',
            expect: [
              {
                labels: { severity: 'warning', cluster: 'eu-1', node: '10.0.0.5' },
                annotations: {
                  summary: 'A Deepgram Engine node is close to its estimated stream capacity.',
                  description: 'Open streams on node 10.0.0.5 in cluster eu-1 fill 90% of its estimated stream capacity (engine_estimated_stream_capacity), above the 80 % threshold.',
                  ...links('DeepgramStreamCapacityHigh', 'deepgram-streaming-capacity', '10.0.0.5', 'eu-1'),
                },
              },
            ],
          },
        ],
      },
    ]);
    expect(result.code, result.output).toBe(0);
  });
});

// Batch files on a node: per minute, `requestsPerMinute` files holding `audioPerMinute` seconds of audio in all, taking
// `wallPerMinute` seconds of processing. The request rate is high enough (6/min = 0.1/s) that the traffic gate is open
// from the first rate() on, so the timing below is the `for:` alone.
const batch = (target: string, audioPerMinute: number, wallPerMinute: number, requestsPerMinute = 6): Series[] => [
  { series: `engine_asr_per_file_audio_duration_seconds_sum{${target}}`, values: `0+${audioPerMinute}x40` },
  { series: `engine_asr_per_file_audio_duration_seconds_count{${target}}`, values: `0+${requestsPerMinute}x40` },
  { series: `engine_asr_per_file_wall_time_seconds_sum{${target}}`, values: `0+${wallPerMinute}x40` },
  { series: `engine_asr_per_file_wall_time_seconds_count{${target}}`, values: `0+${requestsPerMinute}x40` },
  requests(target, '2xx', `0+${requestsPerMinute}x40`),
];

alertTest('DeepgramRealtimeFactorLow', {
  // Six files of 100 s each minute (600 s of audio) processed in 20 s: 30x real time.
  input: [...engineGauges(NODE_A, { capacity: '40x40', batch: '1x40' }), ...batch(NODE_A, 600, 20)],
  fires: {
    // Rates exist from the second sample (1m), so the 15m for: ends at 16m at the earliest (17m: see the header).
    at: '17m',
    expect: [
      {
        labels: { severity: 'warning', node: '10.0.0.5' },
        annotations: {
          summary: 'A Deepgram Engine node transcribes batch audio much slower than expected.',
          description: 'Batch transcription on node 10.0.0.5 runs at 30x real time, under the 50x minimum.',
          ...links('DeepgramRealtimeFactorLow', 'deepgram-node', '10.0.0.5'),
        },
      },
    ],
  },
  justBefore: { at: '15m' },
  // A healthy node: 600 s of audio in 6 s, 100x.
  belowThreshold: { input: [...engineGauges(NODE_A, { capacity: '40x40', batch: '1x40' }), ...batch(NODE_A, 600, 6)], at: '30m' },
  noTraffic: { input: engineGauges(NODE_A), at: '30m' },
  more: [
    {
      // One 10-minute file every five minutes, processed at 30x: 0.0033 requests/s is under traffic.minRequestRate.
      name: 'DeepgramRealtimeFactorLow silent under the minimum batch request rate',
      input: [...engineGauges(NODE_A), ...batch(NODE_A, 120, 4, 0.2)],
      alerts: [{ at: '30m', alert: 'DeepgramRealtimeFactorLow', expect: [] }],
    },
    {
      // Slow batch traffic for 20 minutes, then none: the histogram series stay with flat values, the speed-up becomes
      // 0/0 and the alert resolves instead of firing on a stale ratio.
      name: 'DeepgramRealtimeFactorLow resolves once batch traffic stops',
      input: [
        ...engineGauges(NODE_A),
        { series: `engine_asr_per_file_audio_duration_seconds_sum{${NODE_A}}`, values: '0+600x20 12000x20' },
        { series: `engine_asr_per_file_wall_time_seconds_sum{${NODE_A}}`, values: '0+20x20 400x20' },
        requests(NODE_A, '2xx', '0+6x20 120x20'),
      ],
      alerts: [
        {
          at: '19m',
          alert: 'DeepgramRealtimeFactorLow',
          expect: [
            {
              labels: { severity: 'warning', node: '10.0.0.5' },
              annotations: {
                summary: 'A Deepgram Engine node transcribes batch audio much slower than expected.',
                description: 'Batch transcription on node 10.0.0.5 runs at 30x real time, under the 50x minimum.',
                ...links('DeepgramRealtimeFactorLow', 'deepgram-node', '10.0.0.5'),
              },
            },
          ],
        },
        { at: '35m', alert: 'DeepgramRealtimeFactorLow', expect: [] },
      ],
    },
  ],
});
