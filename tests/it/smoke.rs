//! Smoke test for whichever LocalStack mode the fixture chose (CI runs it in both modes).

use crate::fixture;

#[tokio::test]
async fn smoke_security_group_and_bucket_read_back() {
    let endpoint = fixture::localstack();
    eprintln!(
        "smoke test against {:?} LocalStack at {}",
        endpoint.mode, endpoint.url
    );
    let aws = fixture::clients().await;

    let sg_name = fixture::unique("smoke");
    let created = aws
        .ec2
        .create_security_group()
        .group_name(&sg_name)
        .description("driftdrill smoke test")
        .send()
        .await
        .expect("create security group");
    let group_id = created.group_id().expect("group id").to_string();
    let described = aws
        .ec2
        .describe_security_groups()
        .group_ids(&group_id)
        .send()
        .await
        .expect("describe");
    let group = &described.security_groups()[0];
    assert_eq!(group.group_name(), Some(sg_name.as_str()));
    assert_eq!(group.description(), Some("driftdrill smoke test"));

    let bucket = fixture::unique("smoke");
    aws.s3
        .create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .expect("create bucket");
    aws.s3
        .head_bucket()
        .bucket(&bucket)
        .send()
        .await
        .expect("head bucket");
    let listed = aws.s3.list_buckets().send().await.expect("list buckets");
    assert!(
        listed
            .buckets()
            .iter()
            .any(|b| b.name() == Some(bucket.as_str())),
        "bucket {bucket} not listed"
    );

    aws.ec2
        .delete_security_group()
        .group_id(&group_id)
        .send()
        .await
        .expect("delete security group");
    aws.s3
        .delete_bucket()
        .bucket(&bucket)
        .send()
        .await
        .expect("delete bucket");
}
