// Original file: proto/shoal/v1/coordinator.proto


export interface FitInstructions {
  'mode'?: (string);
  'localEpochs'?: (number);
  'batchSize'?: (number);
  'learningRate'?: (number | string);
  'optimizer'?: (string);
  'proximalMu'?: (number | string);
  'clipNorm'?: (number | string);
  'noiseStd'?: (number | string);
  'weighting'?: (string);
}

export interface FitInstructions__Output {
  'mode': (string);
  'localEpochs': (number);
  'batchSize': (number);
  'learningRate': (number);
  'optimizer': (string);
  'proximalMu': (number);
  'clipNorm': (number);
  'noiseStd': (number);
  'weighting': (string);
}
