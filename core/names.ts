// Names of every recorded series, in one place: `level:metric:operations`. Windows are part of the name (rate5m), so
// a config with another window yields other names and no recorded series ever means two things.
import type { DgmonConfig } from './config.ts';

export function recordNames(config: DgmonConfig) {
  const w = config.intervals.rate;
  return {
    // Engine, per node (cluster and node labels kept).
    nodeRequestsByStatus: `node_kind_status:engine_requests:rate${w}`,
    nodeRequests: `node:engine_requests:rate${w}`,
    nodeServerErrorRatio: `node:engine_requests_server_errors:ratio_rate${w}`,
    nodeBatchLatencyBuckets: `node_le:engine_batch_response_time_seconds_bucket:rate${w}`,
    nodeBatchLatencyQuantile: `node:engine_batch_response_time_seconds:histogram_quantile_rate${w}`,
    nodeStreamLatencySum: `node:engine_stream_latency_sum:rate${w}`,
    nodeStreamLatencyCount: `node:engine_stream_latency_count:rate${w}`,
    nodeStreamLatencyMean: `node:engine_stream_latency:mean_rate${w}`,
    nodeBatchAudioSeconds: `node:engine_asr_per_file_audio_duration_seconds_sum:rate${w}`,
    nodeBatchWallSeconds: `node:engine_asr_per_file_wall_time_seconds_sum:rate${w}`,
    nodeBatchSpeedup: `node:engine_asr_per_file_realtime_factor:ratio_rate${w}`,
    nodeActiveRequestsByKind: 'node_kind:engine_active_requests:sum',
    nodeActiveRequests: 'node:engine_active_requests:sum',
    nodeStreamCapacity: 'node:engine_estimated_stream_capacity:sum',
    nodeActiveStreams: 'node:engine_active_streams:sum',
    nodeStreamCapacityUsed: 'node:engine_stream_capacity_used:ratio',
    nodeStreamHeadroom: 'node:engine_stream_headroom:sum',
    nodeMaxActiveRequests: 'node:engine_max_active_requests:max',
    nodeConcurrencyLimitUsed: 'node:engine_concurrency_limit_used:ratio',
    nodeFluxUsedStreams: 'node:engine_flux_used_streams:sum',
    nodeFluxMaxStreams: 'node:engine_flux_max_streams:sum',
    // Engine, per cluster.
    clusterRequestsByStatus: `cluster_kind_status:engine_requests:rate${w}`,
    clusterServerErrorRatio: `cluster:engine_requests_server_errors:ratio_rate${w}`,
    clusterBatchLatencyBuckets: `cluster_le:engine_batch_response_time_seconds_bucket:rate${w}`,
    clusterBatchLatencyQuantile: `cluster:engine_batch_response_time_seconds:histogram_quantile_rate${w}`,
    clusterStreamLatencyBuckets: `cluster_le:engine_stream_latency_bucket:rate${w}`,
    clusterStreamLatencySum: `cluster:engine_stream_latency_sum:rate${w}`,
    clusterStreamLatencyCount: `cluster:engine_stream_latency_count:rate${w}`,
    clusterStreamLatencyMean: `cluster:engine_stream_latency:mean_rate${w}`,
    clusterStreamConnectionBuckets: `cluster_le:engine_stream_connection_latency_seconds_bucket:rate${w}`,
    clusterBatchAudioSeconds: `cluster:engine_asr_per_file_audio_duration_seconds_sum:rate${w}`,
    clusterBatchWallSeconds: `cluster:engine_asr_per_file_wall_time_seconds_sum:rate${w}`,
    // TTS, per cluster and model tier.
    clusterTtsRawBuckets: `cluster_tier_le:engine_tts_first_raw_byte_latency_bucket:rate${w}`,
    clusterTtsTranscodedBuckets: `cluster_tier_le:engine_tts_first_transcoded_byte_latency_bucket:rate${w}`,
    clusterActiveStreams: 'cluster:engine_active_streams:sum',
    clusterStreamHeadroom: 'cluster:engine_stream_headroom:sum',
    clusterStreamCapacity: 'cluster:engine_estimated_stream_capacity:sum',
    clusterLargestNodeStreamCapacity: 'cluster:engine_estimated_stream_capacity:max',
    clusterEngineNodes: 'cluster:engine_nodes:count',
    // GPU, per GPU (cluster, node, gpu, UUID, modelName and MIG instance labels kept), in base units.
    gpuBusy: 'node_gpu:dcgm_gpu_busy:ratio',
    gpuMemoryUsed: 'node_gpu:dcgm_framebuffer_used:bytes',
    gpuMemoryTotal: 'node_gpu:dcgm_framebuffer_total:bytes',
    gpuMemoryUsedRatio: 'node_gpu:dcgm_framebuffer_used:ratio',
    gpuTemperature: 'node_gpu:dcgm_gpu_temperature:celsius',
    gpuPower: 'node_gpu:dcgm_power_usage:watts',
    gpuSmClock: 'node_gpu:dcgm_sm_clock:hertz',
    gpuXidLast: 'node_gpu:dcgm_xid_errors:last',
    gpuTensorActive: 'node_gpu:dcgm_tensor_active:ratio',
    gpuDramActive: 'node_gpu:dcgm_dram_active:ratio',
    gpuEnergyPower: `node_gpu:dcgm_energy_watts:rate${w}`,
    // Per node: its GPUs' busy ratios summed (GPU-equivalents busy), for the dashboards' per-node rankings.
    nodeGpuBusy: 'node:dcgm_gpu_busy:sum',
    // Requests in flight per busy GPU-equivalent: highest on a node serving on CPU (its GPUs idle), 0 when idle.
    nodeRequestsPerBusyGpu: 'node:engine_active_requests_per_busy_gpu:ratio',
    // The exporter beside each node.
    nodeSourceScrapeDuration: 'node_source:dgmon_source_scrape_duration_seconds:max',
    // What is there at all, per cluster: targets per source, exporters carrying the Engine, GPUs per node.
    clusterSourceTargets: 'cluster_source:dgmon_targets:count',
    exporterEngineSource: 'cluster_job_instance:dgmon_source_up_engine:present',
    nodeGpuCount: 'node:dcgm_gpus:count',
    // Applications using the dgmon client, per scrape job and source (the probe left out: its rules read it raw).
    callerRequestsByMode: `cluster_job_source_mode:dgmon_transcription_requests:rate${w}`,
    callerServerErrorRatio: `cluster_job_source:dgmon_transcription_requests_server_errors:ratio_rate${w}`,
    callerBatchLatencyQuantile: `cluster_job_source:dgmon_transcription_duration_seconds:histogram_quantile_rate${w}`,
    // SLOs, per cluster, one per burn-rate window.
    availabilityErrorRatio: (window: string) => `cluster:engine_availability_errors:ratio_rate${window}`,
    streamLatencySlowRatio: (window: string) => `cluster:engine_stream_latency_slow:ratio_rate${window}`,
  };
}

export type RecordNames = ReturnType<typeof recordNames>;
