// Original file: proto/shoal/v1/secure_aggregation.proto


export interface UnmaskResponse {
}

export interface UnmaskResponse__Output {
}
