// Original file: proto/shoal/v1/aggregator.proto


export interface MarkDroppedResponse {
}

export interface MarkDroppedResponse__Output {
}
