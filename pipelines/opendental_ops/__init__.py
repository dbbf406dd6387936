"""Running the sync unattended: clinics and schedules (settings), the steps of a group's run (steps), the same
schedule as a crontab (crontab), and maintenance of the copy (maintenance). Airflow's DAGs (dags/) and
`python pipelines/ops.py` are thin callers of these modules."""
