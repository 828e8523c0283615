"""API errors: one exception type, and the catalogue of codes with their exact wire text.

Messages are copied byte for byte from the spec (``shared/spec``) or the API reference
(``shared/reference``), typos included, because client code matches on them.
"""

from __future__ import annotations

from typing import Dict, Optional, Tuple


class EcsError(Exception):
    """An error the mock answers on the wire, with the HTTP status the real API uses."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


# code -> (HTTP status, message): the text of the action that first needed the code (for
# CreateSnapshot, the spec's 2018 edition). Each action answers its own documented text and
# status instead where it has one (data/errors.json, read by error_texts.py).
CATALOGUE: Dict[str, Tuple[int, str]] = {
    # --- gateway ---
    "InvalidAction.NotFound": (404, "Specified api is not found, please check your url and method."),
    "InvalidVersion": (400, "Specified parameter Version is not valid."),
    "SignatureDoesNotMatch": (
        400,
        "Specified signature is not matched with our calculation. server string to sign is:",
    ),
    "IncompleteSignature": (400, "The request signature does not conform to Aliyun standards."),
    "InvalidAccessKeyId.NotFound": (404, "Specified access key is not found."),
    "InvalidTimeStamp.Expired": (400, "Specified time stamp or date value is expired."),
    "SignatureNonceUsed": (400, "Specified signature nonce was used already."),
    "UnsupportedHTTPMethod": (403, "This HTTP method is not supported."),
    "InvalidParameter": (400, "The specified parameter is not valid"),
    "Throttling": (
        400,
        "You have made too many requests within a short time; your request is denied due to request throttling.",
    ),
    "InternalError": (
        500,
        "The request processing has failed due to some unknown error, exception or failure.",
    ),
    "ServiceUnavailable": (503, "The request has failed due to a temporary failure of the server."),
    "UnknownError": (400, "The request processing has failed due to some unknown error."),
    "DryRunOperation": (400, "Request validation has been passed with DryRun flag set."),
    # --- CreateSnapshot (spec table) ---
    "DiskCategory.OperationNotSupported": (
        400,
        "The operation is not supported to the specified disk due to its disk Category",
    ),
    "IncorrectInstanceStatus": (400, "The current status of the resource does not support this operation."),
    "InvalidSnapshotName.Malformed": (400, "The specified SnapshotName is wrongly formed."),
    "CreateSnapshot.Failed": (403, "The process of creating snapshot failed."),
    "DiskId.ValueNotSupported": (403, "The specified parameter diskid is not supported."),
    "DiskInArrears": (403, "The specified operation is denied as your disk has expired."),
    "IncorrectDiskStatus": (403, "The current disk status does not support this operation."),
    "IncorrectDiskStatus.CreatingSnapshot": (403, "A previous snapshot creation is in process."),
    "IncorrectDiskStatus.NeverAttached": (403, "The specified disk has never been attached to any instance."),
    "IncorrectDiskStatus.NeverUsed": (403, "The specified disk has never been used after creating."),
    "IncorrectDiskStatus.Initializing": (403, "The current disk status does not support this operation."),
    "InstanceLockedForSecurity": (403, "The disk attached instance is locked due to security."),
    "InvalidAccountStatus.NotEnoughBalance": (403, "Your account does not have enough balance."),
    "InvalidAccountStatus.SnapshotServiceUnavailable": (403, "Snapshot service has not been opened yet."),
    "QuotaExceed.Snapshot": (403, "The maximum number of snapshots is exceeded."),
    "InvalidDescription.Malformed": (404, "The specified description is wrongly formed."),
    "InvalidDiskId.NotFound": (404, "The specified DiskId does not exist."),
    "IdempotentParameterMismatch": (403, "The specified clientToken is used."),
    "InvalidClientToken.Malformed": (
        403,
        "The specified clientToken is improperly formatted. It must contain only ASCII characters "
        "and must not exceed 64 characters in length.",
    ),
    # RunInstances/CreateInstance (both document this text; RunInstances also "clienttoken is not valid.").
    "InvalidClientToken.ValueNotSupported": (400, "The ClientToken provided is invalid."),
    "InvalidRetentionDays.Malformed": (400, "The specified RetentionDays is not valid."),
    "Duplicate.TagKey": (400, "The Tag.N.Key contain duplicate key."),
    "InvalidTagKey.Malformed": (400, "The specified Tag.n.Key is not valid."),
    "InvalidTagValue.Malformed": (400, "The specified Tag.n.Value is not valid."),
    "InvalidTagCount": (400, "The specified tags are beyond the permitted range."),
    # --- instances ---
    "InvalidInstanceId.NotFound": (404, "The specified InstanceId does not exist."),
    "InvalidImageId.NotFound": (404, "The specified ImageId does not exist."),
    "InvalidZoneId.NotFound": (404, "The specified zone does not exist."),
    # RunInstances/CreateInstance word it differently (actions/RunInstances.md).
    "InvalidZoneId.NotFoundInstance": (404, "The specified zoneId does not exist."),
    "InvalidRegionId.NotFound": (404, "The specified RegionId does not exist."),
    "InvalidInstanceName.Malformed": (400, 'The specified parameter "InstanceName" is not valid.'),
    "InvalidPeriod": (400, "The specified period is not valid."),
    "InvalidPeriodUnit.ValueNotSupported": (400, "The specified parameter PeriodUnit is not valid."),
    "InvalidInstanceChargeType.NotFound": (404, "The InstanceChargeType does not exist in our records"),
    "InvalidDiskCategory.ValueNotSupported": (400, 'The specified parameter "DiskCategory" is not valid.'),
    "InvalidDataDiskCategory.ValueNotSupported": (
        400,
        'The specified parameter "DataDisk.n.Category" is not valid.',
    ),
    "InvalidDataDiskSize.ValueNotSupported": (
        400,
        "The specified DataDisk.n.Size beyond the permitted range, or the capacity of snapshot "
        "exceeds the size limit of the specified disk category.",
    ),
    "InvalidSystemDiskSize.ValueNotSupported": (400, "The specified parameter SystemDisk.Size is invalid."),
    "InvalidDataDiskSnapshotId.NotFound": (404, 'The specified parameter "DataDisk.n.SnapshotId" is not valid.'),
    "StartInstance.IncorrectInstanceStatus": (
        403,
        "The current status of the resource does not support this operation.",
    ),
    "InstanceLockedForSecurity.Instance": (
        403,
        "The specified operation is denied as your instance is locked for security reasons.",
    ),
    "InstanceLockedForSecurity.Disk": (403, "The instance is locked due to security."),
    "InstanceExpiredOrInArrears": (
        403,
        "The specified operation is denied as your prepay instance is expired (prepay mode) "
        "or in arrears (afterpay mode).",
    ),
    "InvalidOperation.DeletionProtection": (403, "%s"),
    "ChargeTypeViolation": (403, "The operation is not permitted due to charge type of the instance."),
    # StartInstance documents a second text for a pay-as-you-go instance (pass it as message=).
    "InstanceExpired": (403, "The prePaid instance has been expired."),
    "InsufficientBalance": (403, "Your account does not have enough balance."),
    "InstanceType.ParameterMismatch": (
        403,
        "The input parameter ConfirmStop must be true when an instance have localstorage.",
    ),
    # AttachDisk.md.
    "InvalidDevice.Malformed": (400, "The specified port is not valid."),
    "InvalidDevice.InUse": (403, "The specified device has been occupied."),
    # --- disks ---
    "InvalidDiskName.Malformed": (400, "The specified disk name is wrongly formed."),
    "InvalidDiskCategory.NotSupported": (403, "The specified disk category is not supported."),
    "InvalidDiskSize.NotSupported": (400, "The specified parameter size is not valid."),
    "InvalidDiskSize.TooSmall": (403, "Specified disk size is less than the size of snapshot."),
    "MissingParameter.SnapshotOrSize": (
        400,
        'The input parameter either "SnapshotId" or "Size" should be specified.',
    ),
    "InvalidSnapshotId.NotFound": (404, "The specified SnapshotId does not exist."),
    "InvalidSnapshotId.NotReady": (
        403,
        "The current status of the DiskDeviceMapping.n.SnapshotId or SnapshotId does not support this operation.",
    ),
    "InvalidSnapshotId.NotReadyDisk": (403, "The specified snapshot has not completed yet."),
    "InvalidSize.ValueNotSupported": (400, "The specified parameter Size is not valid."),
    "InvalidDiskCategory.NotSupportedCreate": (400, "The specified disk category is not support."),
    "InvalidParameter.Conflict": (400, "%s"),
    "InstanceDiskLimitExceeded": (403, "The amount of the disk on instance in question reach its limits."),
    "ResourcesNotInSameZone": (403, "The specified instance and disk are not in the same zone."),
    "InvalidDisk.InUse": (404, "The specified disk has been occupied."),
    "IncorrectDiskStatus.NotAvailable": (
        403,
        "The current status of the disk does not support this operation. The expected disk status is Available.",
    ),
    "InvalidDisk.AlreadyDetached": (404, "The specified disk has been detached."),
    "DependencyViolation": (403, "The specified disk has not been attached on the specified instance."),
    "DiskTypeViolation": (403, "The specified disk is a system disk and cannot support the operation."),
    "DiskNotPortable": (403, "The specified disk is not a portable disk."),
    "DiskCreatingSnapshot": (
        403,
        "The operation is denied due to a snapshot of the specified disk is not completed yet.",
    ),
    "DiskStillAttached": (403, "The disk is still attached to the disk."),
    # --- snapshots and images ---
    "SnapshotCreatedImage": (403, "The snapshot has been used to create user defined image(s)."),
    "SnapshotCreatedDisk": (403, "The snapshot has been used to create disk(s)."),
    "Operation.Conflict": (403, "The operation may conflicts with others, please retry later."),
    # CreateImage.md: the other OperationDenied texts of CreateImage are passed as message=.
    "OperationDenied": (403, "The specified snapshot is not from system disk."),
    "QuotaExceed.Image": (403, "The Image Quota exceeds."),
    "InvalidSnapshotId.NotFoundDelete": (404, "The specified snapshot is not found"),
    "InvalidImageName.Malformed": (400, "The specified Image name is wrongly formed."),
    "InvalidImageName.Duplicated": (400, "The specified Image name has already bean used."),
    "InvalidDescription.MalformedImage": (400, "The specified description is wrongly formed."),
    "MissingParameter.CreateImageSource": (
        400,
        "The input parameter SnapshotId or InstanceId or DiskDeviceMapping that is mandatory for "
        "processing this request is not supplied.",
    ),
    "ImageUsingByInstance": (403, "The specified image has been used to create instances."),
    "InvalidStatus.NotFound": (404, "The specified Status is not found"),
    "InvalidSnapshotIds.Malformed": (403, "The amount of specified specified snapshot Ids exceeds the limit."),
    "InvalidSnapshotType.NotFound": (404, "The specfied SnapshotType is not found"),
    "InvalidUsage": (404, "The specifed Usage is not valid"),
    "InvalidSourceDiskType": (404, "The specifed SourceDiskType is not valid"),
    "InvalidFilterKey.NotFound": (404, "The specified FilterKey is not found."),
    "InvalidFilterValue": (404, "The specified FilterValue exceeds the limit."),
    "NoAttributeToModify": (400, "No attribute to be modified in this request."),
    # actions/DescribeSnapshots.md (2021 error table).
    "InvalidTag.Mismatch": (400, "The specified Tag.n.Key and Tag.n.Value are not match."),
    "InvalidSnapshotCategory.Malformed": (403, "The specified Category is not valid."),
    "InvalidSnapshotLinkId.NotFound": (404, "The specified snapshot link is not found."),
    "InvalidParamter.Conflict": (
        403,
        "The specified same token is trying to make requests with different parameters.",
    ),
    "InvalidImageOwnerAlias": (400, "The specified parameter ImageOwnerAlias is not valid."),
    # Texts of actions/DescribeImages.md, DescribeDisks.md, CreateImage.md and FACTS.md section 6 (DeleteDisk).
    "InvalidImageOwnerAlias.ValueNotSupported": (400, "The specified ImageOwnerAlias value is not supported."),
    # DescribeImages.md (2021 docs); CreateImage.md for the two *.Malformed.
    "InvalidOSType": (404, "The specifed OSType is not valid"),
    "InvalidArchitecture": (404, "The specifed Architecture is not valid"),
    "InvalidInstanceType.ValueNotSupported": (
        400,
        "The specified InstanceType does not exist or beyond the permitted range.",
    ),
    "InvalidArchitecture.Malformed": (400, "The specified Architecture is wrongly formed."),
    "InvalidPlatform.Malformed": (400, "The specified Platform is wrongly formed."),
    "InvalidDiskType.ValueNotSupported": (400, "The specified disk type is not supported."),
    "InvalidStatus.ValueNotSupported": (400, "The specified disk status is not supported."),
    "IncorrectInstanceStatus.Image": (400, "The current status of the instance does not support this operation."),
    "InvalidDiskId.NotFoundDelete": (404, "The specified disk does not exist."),
    "InvalidPageSize.Malformed": (400, "The specified parameter PageSize is not valid."),
    "InvalidPageNumber.Malformed": (400, "The specified parameter PageNumber is not valid."),
    "InvalidNextToken.Malformed": (400, "The specified parameter NextToken is not valid."),
    # --- DescribeDisks / DescribeInstances filters (actions/DescribeDisks.md, DescribeInstances.md) ---
    "InvalidDiskIds.Malformed": (403, "The amount of specified disk Ids exceeds the limit."),
    "InvalidParameter.DiskIds": (400, "The specified parameter diskIds is not valid."),
    "InvalidCategory.ValueNotSupported": (400, "The specified disk category is not supported."),
    "InvalidDiskChargeType.NotFound": (404, "The DiskChargeType does not exist in our records"),
    "InvalidLockReason.NotFound": (404, "The specified LockReason is not found"),
    "InvalidZoneId.NotFoundDisks": (400, "The zoneId provided does not exist in our records."),
    "InvalidSnapshot.NotFound": (400, "The specified parameter SnapshotId is not valid."),
    "InvalidInternetChargeType.ValueNotSupported": (404, "The specified InternetChargeType is not valid"),
    "InvalidNetworkType.NotFound": (404, "The specified InstanceNetworkType is not found"),
    "InvalidHpcClusterId.NotFound": (400, "The specified HpcClusterId is not found."),
    # --- RunInstances / CreateInstance (actions/RunInstances.md, CreateInstance.md) ---
    "InvalidHpcClusterId.NotFoundRun": (400, "The specified HpcClusterId is not found"),
    "InvalidInternetChargeType.ValueNotSupportedRun": (400, "The specified InternetChargeType is not valid."),
    "InvalidInternetMaxBandwidthIn.Malformed": (400, "The specified parameter internetMaxBandwidthIn is not valid."),
    "InvalidHttpEndpoint.NotSupported": (
        400, "The specified HttpEndpoint not supported, you can use enabled(default) or disabled."),
    "InvalidHttpTokens.NotSupported": (
        400, "The specified HttpTokens not supported, you can use optional(default) or required."),
    # RunInstances.md gives "%s" for InvalidParam.Amount; the text is worded like MinAmount's.
    "InvalidParam.Amount": (403, "The specified parameter Amount is not valid."),
    "InvalidMinAmount.Malformed": (400, "The specified parameter MinAmount is not valid."),
    # CreateDisk.md.
    "InvalidPerformanceLevel.Malformed": (400, "The specified parameter PerformanceLevel is not valid."),
    "InvalidHttpPutResponseHopLimit.NotSupported": (
        400, "The specified HttpPutResponseHopLimit not supported, more than 1 and less than 64 is reasonable."),
    # The tag actions (docs-2021/TagResources.en.md and its siblings).
    "NumberExceed.ResourceIds": (400, "The ResourceIds parameter's number is exceed , Valid : 50"),
    "NumberExceed.Tags": (400, "The Tags parameter's number is exceed , Valid : 20"),
    "InvalidResourceId.NotFound": (404, "The specified ResourceIds are not found in our records."),
    "InvalidResourceType.NotFound": (404, "The ResourceType provided does not exist in our records."),
    "OperationDenied.QuotaExceed": (400, "The quota of tags on resource is beyond permitted range."),
    "MissingParameter.Tags": (404, "The parameter - Tags should not be null"),
    # DescribeRegions / DescribeZones (docs-2021/DescribeRegions.en.md, DescribeZones.en.md).
    "InvalidAcceptLanguage.NotFound": (
        404, "Only Chinese (zh-CN), English (en-US), and Japanese (ja) are allowed."),
    "InvalidSpotStrategy": (400, "The specified SpotStrategy is not valid."),
    # CopyImage of an image that is not Available: CopyImage documents no table; the mock's own text.
    "IncorrectImageStatus": (403, "The current status of the image does not support this operation."),
    # DeleteImage.md, while a CopyImage of the image is Creating (typo included).
    "OperationDenied.ImageCopying": (403, "The Image is coping."),
}

# Where the wire code differs from the catalogue key (several keys share one code but not
# one message or status), the code to send.
WIRE_CODE: Dict[str, str] = {
    "StartInstance.IncorrectInstanceStatus": "IncorrectInstanceStatus",
    "InstanceLockedForSecurity.Instance": "InstanceLockedForSecurity",
    "InstanceLockedForSecurity.Disk": "InstanceLockedForSecurity",
    "IncorrectDiskStatus.NotAvailable": "IncorrectDiskStatus",
    "MissingParameter.SnapshotOrSize": "MissingParameter",
    "InvalidSnapshotId.NotReadyDisk": "InvalidSnapshotId.NotReady",
    "InvalidDiskCategory.NotSupportedCreate": "InvalidDiskCategory.NotSupported",
    "MissingParameter.CreateImageSource": "MissingParameter",
    "InvalidSnapshotId.NotFoundDelete": "InvalidSnapshotId.NotFound",
    "InvalidDescription.MalformedImage": "InvalidDescription.Malformed",
    "InvalidZoneId.NotFoundInstance": "InvalidZoneId.NotFound",
    "IncorrectInstanceStatus.Image": "IncorrectInstanceStatus",
    "InvalidDiskId.NotFoundDelete": "InvalidDiskId.NotFound",
    "InvalidZoneId.NotFoundDisks": "InvalidZoneId.NotFound",
    "InvalidHpcClusterId.NotFoundRun": "InvalidHpcClusterId.NotFound",
    "InvalidInternetChargeType.ValueNotSupportedRun": "InvalidInternetChargeType.ValueNotSupported",
}

def error(key: str, *, message: Optional[str] = None) -> EcsError:
    """The error ``key`` names in the catalogue; ``message`` fills a ``%s`` text or names one
    of the texts the action documents for the code (a code outside the catalogue needs one).

    The gateway answers it in the raising action's own words (error_texts.py): the catalogue's
    text is where an action documents none of its own."""
    if key not in CATALOGUE:
        if message is None:
            raise KeyError(f"{key} is not in the catalogue: name the action's documented message")
        return EcsError(key, message, 400)  # the action's table gives the status (error_texts)
    status, text = CATALOGUE[key]
    return EcsError(WIRE_CODE.get(key, key), text if message is None else message, status)


def missing(name: str) -> EcsError:
    """The gateway's answer to a missing required parameter (decisions.md)."""
    return EcsError(f"Missing{name}", f"{name} is mandatory for this action.", 400)


def filter_not_supported(action: str, name: str) -> EcsError:
    """A real filter this mock does not implement: refused, never silently ignored."""
    return EcsError(
        "MockEcs.FilterNotSupported",
        f"mock_ecs does not implement the parameter {name!r} of {action} yet; it refuses it rather than ignore it.",
        501,
    )


def invalid_parameter(name: str) -> EcsError:
    """A value of the wrong type or shape for ``name``."""
    return EcsError("InvalidParameter", f'The specified parameter "{name}" is not valid.', 400)


def not_implemented(action: str) -> EcsError:
    """A real ECS action this mock does not build: say so by name rather than reach the network."""
    return EcsError(
        "MockEcs.ActionNotImplemented",
        f"mock_ecs does not implement the ECS action {action!r} yet; no request left this machine.",
        501,
    )
