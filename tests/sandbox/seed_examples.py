"""The example responses of the five seed pages (../shared/fabric-api/seeds/), copied verbatim,
and for the two pages without a JSON example the fields they list under "Response"."""

import json

# 000_73d0ee203fb2ca4b.txt: POST /v1/internalParties-party/create
INTERNAL_PARTY_LINK = json.loads(
    """
{
  "_id": "<string>",
  "partyId": "612d205f3535d7000890492h",
  "internalPartyId": "612d205f3535d7000890492h",
  "isDeleted": false,
  "createdAt": "2021-08-30T23:20:42.822Z",
  "updatedAt": "2021-08-30T23:20:42.822Z"
}
"""
)

# 001_b2222c07e5bd2901.txt: POST /v1/organizations/{organizationId}/contracts (declared types)
CREATE_CONTRACT_FIELDS = {
    "_id": "string",
    "contractId": "string",
    "createdAt": "string",
    "endDate": "string",
    "isDeleted": "boolean",
    "onContract": "boolean",
    "partyId": "string",
    "promotionStacking": "boolean",
    "startDate": "string",
    "status": "string",
    "updatedAt": "string",
    "accountId": "string",
    "additionalAttributes": "object",
    "addressId": "string",
    "contractPriceList": "object",
    "contractType": "string",
}

# 002_d16eafa14d416ba6.txt: PATCH /v1/contracts/{contractId}
PATCH_CONTRACT_REQUEST = json.loads(
    """
{
  "partyId": "61a77df3941da90009fd35db",
  "addressId": "6182ae91c67c61932b38c382",
  "accountId": "6182aeb6c67c61932b38c38b",
  "status": "ACTIVE",
  "contractType": "TYPE-A",
  "onContract": true,
  "promotionStacking": true,
  "priceListId": 100000,
  "startDate": "2021-08-19T15:16:20.630Z",
  "endDate": "2021-12-20T15:16:20.630Z",
  "additionalAttributes": {}
}
"""
)
PATCH_CONTRACT = json.loads(
    """
{
  "_id": "61604a30fdfacd0009816e44",
  "contractId": 201000000000013,
  "partyId": "61a77df3941da90009fd35db",
  "addressId": "6182ae91c67c61932b38c382",
  "accountId": "6182aeb6c67c61932b38c38b",
  "contractType": "TYPE-A",
  "status": "ACTIVE",
  "startDate": "2021-08-19T15:16:20.630Z",
  "endDate": "2021-12-20T15:16:20.630Z",
  "onContract": true,
  "promotionStacking": true,
  "additionalAttributes": {},
  "isDeleted": false,
  "createdAt": "2021-08-30T23:20:42.822Z",
  "updatedAt": "2021-08-30T23:20:42.822Z",
  "contractPriceList": {
    "_id": "61bcf8f0e30b090008c4cfd5",
    "contractId": "61bcf8f0e30b090008c4cfd2",
    "priceListId": 100000,
    "createdAt": "2021-08-30T23:20:42.822Z",
    "updatedAt": "2021-08-30T23:20:42.822Z"
  }
}
"""
)

# 003_72b1d5146d2c89bd.txt: GET /v1/organizations/{organizationId}/contracts/{contractId}
GET_CONTRACT = json.loads(
    """
{
  "_id": "61604a30fdfacd0009816e44",
  "contractId": 201000000000013,
  "partyId": "61a77df3941da90009fd35db",
  "addressId": "6182ae91c67c61932b38c382",
  "accountId": "6182aeb6c67c61932b38c38b",
  "contractType": "TYPE-A",
  "status": "ACTIVE",
  "startDate": "2021-08-19T15:16:20.630Z",
  "endDate": "2021-12-20T15:16:20.630Z",
  "onContract": true,
  "promotionStacking": true,
  "additionalAttributes": {},
  "isDeleted": false,
  "createdAt": "2021-08-30T23:20:42.822Z",
  "updatedAt": "2021-08-30T23:20:42.822Z",
  "priceLists": [
    {
      "_id": "61c21377226c1c625a0d07ef",
      "contractId": "61c21377226c1c625a0d07ec",
      "priceListId": 100000,
      "createdAt": "2021-12-21T17:48:39.030Z",
      "updatedAt": "2021-12-21T17:48:39.030Z"
    }
  ],
  "party": {
    "parentPartyId": "61b121a51d949f0009142ada",
    "name": "PARTY P-1",
    "partyType": "O",
    "isActive": "O",
    "email": "email@address.com.br",
    "additionalAttributes": {}
  }
}
"""
)

# 004_29b4328590c22de9.txt: PUT /v1/organizations/{organizationId}/contracts/{contractId}.
# The page shows the body and response fields as examples only; their JSON types are these.
UPDATE_CONTRACT_REQUEST = {
    "startDate": "2021-08-19T15:16:20.630Z",
    "endDate": "2021-12-20T15:16:20.630Z",
    "status": "ACTIVE",
    "contractType": "TYPE-A",
    "priceListId": 100000,
    "additionalAttributes": {},
}
UPDATE_CONTRACT_FIELDS = {
    "_id": "string",
    "contractId": "number",
    "partyId": "string",
    "status": "string",
    "startDate": "string",
    "endDate": "string",
    "onContract": "boolean",
    "promotionStacking": "boolean",
    "isDeleted": "boolean",
    "createdAt": "string",
    "updatedAt": "string",
    "addressId": "string",
    "accountId": "string",
    "contractType": "string",
    "additionalAttributes": "object",
    "contractPriceList": "object",
}
