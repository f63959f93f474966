// Original file: proto/shoal/v1/aggregator.proto


export interface OpenCollectionResponse {
}

export interface OpenCollectionResponse__Output {
}
