// Where `dgmon simulate` and `npm start` put the simulated node: Deepgram's own ports plus 10000, so they do not
// collide with a real deployment on the same machine. Apart from the commands, so their flags' defaults can name
// them without loading the simulator.
export const SIMULATOR_PORTS = { engine: 19991, api: 18080, licenseProxy: 18089, dcgm: 19400, control: 18099 } as const;
