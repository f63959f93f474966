// Original file: proto/shoal/v1/aggregator.proto


export interface EndJobResponse {
}

export interface EndJobResponse__Output {
}
