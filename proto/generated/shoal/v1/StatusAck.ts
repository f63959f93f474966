// Original file: proto/shoal/v1/coordinator.proto


export interface StatusAck {
}

export interface StatusAck__Output {
}
